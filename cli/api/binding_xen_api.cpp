// XenApi on the generated C++ binding (tern::xenapi): records are read with get_record /
// get_all_records and mapped into xm's records; binding failures become ApiFailure.

#include <stdexcept>
#include <tern/xenapi/xenapi.hpp>

#include "api/console_tunnel.hpp"
#include "api/xen_api.hpp"
#include "connection/connection_settings.hpp"

namespace tern::cli {
namespace {

namespace x = tern::xenapi;

// Runs `body`, turning the binding's exceptions into xm's.
template <typename Body>
auto translate(Body&& body) -> decltype(body()) {
    try {
        return body();
    } catch (const x::Failure& failure) {
        throw ApiFailure(failure.code(), failure.params());
    } catch (const x::TransportError& error) {
        throw std::runtime_error(std::string("cannot talk to the server: ") + error.what());
    }
}

std::string iso(const x::DateTime& time) {
    if (time.time_since_epoch().count() <= 0) {
        return "";
    }
    return x::format_datetime(time);
}

template <typename Class>
std::vector<std::string> refs(const std::vector<x::Ref<Class>>& list) {
    std::vector<std::string> result;
    for (const auto& ref : list) {
        result.push_back(ref.str());
    }
    return result;
}

class BindingXenApi : public XenApi {
  public:
    explicit BindingXenApi(const ConnectionSettings& settings)
        : settings_(settings), session_(url_for(settings), options_for(settings)) {
        translate([&] {
            session_.login_with_password(settings.user, settings.password.value_or(""), "1.0",
                                         "xm");
            return 0;
        });
    }

    std::vector<VmRecord> vms() override {
        return translate([&] {
            auto metrics = session_.VM_metrics().get_all_records();
            std::vector<VmRecord> result;
            for (const auto& [ref, record] : session_.VM().get_all_records()) {
                auto found = metrics.find(record.metrics);
                result.push_back(
                    to_vm(ref, record, found == metrics.end() ? nullptr : &found->second));
            }
            return result;
        });
    }

    VmRecord vm(const std::string& ref) override {
        return translate([&] {
            x::Ref<x::VM> vm(ref);
            auto record = session_.VM().get_record(vm);
            if (record.metrics.is_null()) {
                return to_vm(vm, record, nullptr);
            }
            auto metrics = session_.VM_metrics().get_record(record.metrics);
            return to_vm(vm, record, &metrics);
        });
    }

    std::string vm_create(const VmConfig& config, bool transient) override {
        return translate([&] {
            x::VMRecord record;
            record.name_label = config.name;
            record.name_description = config.description;
            record.memory_static_min = config.memory_static_min;
            record.memory_static_max = config.memory_static_max;
            record.memory_dynamic_min = config.memory_dynamic_min;
            record.memory_dynamic_max = config.memory_dynamic_max;
            record.VCPUs_max = config.vcpus_max;
            record.VCPUs_at_startup = config.vcpus_at_startup;
            record.VCPUs_params = config.api_vcpu_params();
            record.actions_after_shutdown = x::from_string<x::OnNormalExit>(config.on_poweroff);
            record.actions_after_reboot = x::from_string<x::OnNormalExit>(config.on_reboot);
            record.actions_after_crash = x::from_string<x::OnCrashBehaviour>(config.on_crash);
            record.PV_kernel = config.kernel;
            record.PV_ramdisk = config.ramdisk;
            record.PV_args = config.kernel_args();
            record.PV_bootloader = config.bootloader;
            record.PV_bootloader_args = config.bootloader_args;
            record.platform = config.platform;
            record.other_config = config.other_config;
            record.domain_type = x::DomainType::pv;
            if (transient) {
                record.other_config["transient"] = "True";
            }
            return session_.VM().create(record).str();
        });
    }

    void vm_destroy(const std::string& vm) override {
        translate([&] {
            session_.VM().destroy(x::Ref<x::VM>(vm));
            return 0;
        });
    }

    void vm_operation(const std::string& ref, VmOperation operation) override {
        translate([&] {
            x::Ref<x::VM> vm(ref);
            auto proxy = session_.VM();
            switch (operation) {
                case VmOperation::kStart:
                    proxy.start(vm, false);
                    break;
                case VmOperation::kStartPaused:
                    proxy.start(vm, true);
                    break;
                case VmOperation::kCleanShutdown:
                    proxy.clean_shutdown(vm);
                    break;
                case VmOperation::kCleanReboot:
                    proxy.clean_reboot(vm);
                    break;
                case VmOperation::kHardShutdown:
                    proxy.hard_shutdown(vm);
                    break;
                case VmOperation::kPause:
                    proxy.pause(vm);
                    break;
                case VmOperation::kUnpause:
                    proxy.unpause(vm);
                    break;
                case VmOperation::kSuspend:
                    proxy.suspend(vm);
                    break;
                case VmOperation::kResume:
                    proxy.resume(vm, false);
                    break;
                case VmOperation::kResumePaused:
                    proxy.resume(vm, true);
                    break;
            }
            return 0;
        });
    }

    void vm_set_name(const std::string& vm, const std::string& name) override {
        translate([&] {
            session_.VM().set_name_label(x::Ref<x::VM>(vm), name);
            return 0;
        });
    }

    void vm_set_memory_dynamic_live(const std::string& vm, std::int64_t bytes) override {
        translate([&] {
            // Raise the maximum first when growing, the minimum first when shrinking, so the
            // range stays valid in between.
            x::Ref<x::VM> ref(vm);
            auto proxy = session_.VM();
            if (bytes >= proxy.get_memory_dynamic_max(ref)) {
                proxy.set_memory_dynamic_max_live(ref, bytes);
                proxy.set_memory_dynamic_min_live(ref, bytes);
            } else {
                proxy.set_memory_dynamic_min_live(ref, bytes);
                proxy.set_memory_dynamic_max_live(ref, bytes);
            }
            return 0;
        });
    }

    void vm_set_memory_static_max(const std::string& vm, std::int64_t bytes) override {
        translate([&] {
            session_.VM().set_memory_static_max(x::Ref<x::VM>(vm), bytes);
            return 0;
        });
    }

    void vm_set_vcpus_live(const std::string& vm, std::int64_t count) override {
        translate([&] {
            session_.VM().set_VCPUs_number_live(x::Ref<x::VM>(vm), count);
            return 0;
        });
    }

    void vm_add_vcpus_param_live(const std::string& vm, const std::string& key,
                                 const std::string& value) override {
        translate([&] {
            x::Ref<x::VM> ref(vm);
            auto params = session_.VM().get_VCPUs_params(ref);
            if (params.count(key) != 0) {
                session_.VM().remove_from_VCPUs_params(ref, key);
            }
            session_.VM().add_to_VCPUs_params_live(ref, key, value);
            return 0;
        });
    }

    void vm_dump_core(const std::string& vm, const std::string& file, bool live,
                      bool crash) override {
        translate([&] {
            session_.call_with_session("VM.dump_core", x::Array{x::Value(vm), x::Value(file),
                                                                x::Value(live), x::Value(crash)});
            return 0;
        });
    }

    std::string vm_save_async(const std::string& vm, const std::string& file,
                              bool checkpoint) override {
        return translate(
            [&] { return session_.VM().async_save(x::Ref<x::VM>(vm), file, checkpoint).str(); });
    }

    std::string vm_restore_async(const std::string& file, bool paused) override {
        return translate([&] { return session_.VM().async_restore(file, paused).str(); });
    }

    std::string vm_migrate_async(const std::string& vm, const std::string& destination,
                                 bool live) override {
        return translate([&] {
            return session_.VM().async_migrate(x::Ref<x::VM>(vm), destination, live, {}).str();
        });
    }

    std::vector<VbdRecord> vbds_of(const std::string& vm) override {
        return translate([&] {
            std::vector<VbdRecord> result;
            for (const auto& ref : session_.VM().get_VBDs(x::Ref<x::VM>(vm))) {
                auto r = session_.VBD().get_record(ref);
                result.push_back({ref.str(), r.uuid, r.VM.str(), r.VDI.str(), r.device,
                                  std::string(x::to_string(r.mode)),
                                  std::string(x::to_string(r.type)), r.bootable,
                                  r.currently_attached});
            }
            return result;
        });
    }

    std::string vbd_create(const std::string& vm, const std::string& vdi, const std::string& device,
                           bool writable, bool cdrom, bool bootable) override {
        return translate([&] {
            x::VBDRecord record;
            record.VM = x::Ref<x::VM>(vm);
            record.VDI = x::Ref<x::VDI>(vdi);
            record.device = device;
            record.userdevice = device;
            record.mode = writable ? x::VbdMode::RW : x::VbdMode::RO;
            record.type = cdrom ? x::VbdType::CD : x::VbdType::Disk;
            record.bootable = bootable;
            return session_.VBD().create(record).str();
        });
    }

    void vbd_destroy(const std::string& vbd) override {
        translate([&] {
            session_.VBD().destroy(x::Ref<x::VBD>(vbd));
            return 0;
        });
    }

    std::vector<VifRecord> vifs_of(const std::string& vm) override {
        return translate([&] {
            std::vector<VifRecord> result;
            for (const auto& ref : session_.VM().get_VIFs(x::Ref<x::VM>(vm))) {
                auto r = session_.VIF().get_record(ref);
                result.push_back({ref.str(), r.uuid, r.VM.str(), r.network.str(), r.device, r.MAC,
                                  r.MTU, r.currently_attached});
            }
            return result;
        });
    }

    std::string vif_create(const std::string& vm, const std::string& network,
                           const std::string& device, const std::string& mac,
                           std::int64_t mtu) override {
        return translate([&] {
            x::VIFRecord record;
            record.VM = x::Ref<x::VM>(vm);
            record.network = x::Ref<x::network>(network);
            record.device = device;
            record.MAC = mac;
            record.MTU = mtu;
            return session_.VIF().create(record).str();
        });
    }

    void vif_destroy(const std::string& vif) override {
        translate([&] {
            session_.VIF().destroy(x::Ref<x::VIF>(vif));
            return 0;
        });
    }

    std::vector<VdiRecord> vdis() override {
        return translate([&] {
            std::vector<VdiRecord> result;
            for (const auto& [ref, r] : session_.VDI().get_all_records()) {
                VdiRecord vdi;
                vdi.ref = ref.str();
                vdi.uuid = r.uuid;
                vdi.name = r.name_label;
                vdi.sr = r.SR.str();
                vdi.type = std::string(x::to_string(r.type));
                vdi.virtual_size = r.virtual_size;
                vdi.physical_utilisation = r.physical_utilisation;
                vdi.sharable = r.sharable;
                vdi.read_only = r.read_only;
                vdi.location = r.location;
                vdi.vbds = refs(r.VBDs);
                result.push_back(vdi);
            }
            return result;
        });
    }

    std::string vdi_create(const std::string& sr, const std::string& name, std::int64_t size,
                           bool sharable, bool read_only, const StringMap& other_config) override {
        return translate([&] {
            x::VDIRecord record;
            record.SR = x::Ref<x::SR>(sr);
            record.name_label = name;
            record.virtual_size = size;
            record.type = x::VdiType::user;
            record.sharable = sharable;
            record.read_only = read_only;
            record.other_config = other_config;
            return session_.VDI().create(record).str();
        });
    }

    void vdi_destroy(const std::string& vdi) override {
        translate([&] {
            session_.VDI().destroy(x::Ref<x::VDI>(vdi));
            return 0;
        });
    }

    std::string vdi_copy_async(const std::string& vdi, const std::string& sr) override {
        return translate([&] {
            return session_.VDI().async_copy(x::Ref<x::VDI>(vdi), x::Ref<x::SR>(sr)).str();
        });
    }

    std::vector<SrRecord> srs() override {
        return translate([&] {
            std::vector<SrRecord> result;
            for (const auto& [ref, r] : session_.SR().get_all_records()) {
                result.push_back({ref.str(), r.uuid, r.name_label, r.type, r.physical_size,
                                  r.physical_utilisation, refs(r.VDIs)});
            }
            return result;
        });
    }

    std::vector<NetworkRecord> networks() override {
        return translate([&] {
            std::vector<NetworkRecord> result;
            for (const auto& [ref, r] : session_.network().get_all_records()) {
                result.push_back({ref.str(), r.uuid, r.name_label, r.bridge});
            }
            return result;
        });
    }

    std::vector<ConsoleRecord> consoles_of(const std::string& vm) override {
        return translate([&] {
            std::vector<ConsoleRecord> result;
            for (const auto& ref : session_.VM().get_consoles(x::Ref<x::VM>(vm))) {
                auto r = session_.console().get_record(ref);
                result.push_back({ref.str(), std::string(x::to_string(r.protocol)), r.location});
            }
            return result;
        });
    }

    HostRecord host() override {
        return translate([&] {
            auto ref = session_.session().get_this_host(session_.ref());
            auto r = session_.host().get_record(ref);
            HostRecord host;
            host.ref = ref.str();
            host.uuid = r.uuid;
            host.name = r.name_label;
            host.hostname = r.hostname;
            host.address = r.address;
            host.sched_policy = r.sched_policy;
            host.api_version_major = r.API_version_major;
            host.api_version_minor = r.API_version_minor;
            host.api_vendor = r.API_version_vendor;
            host.software_version = r.software_version;
            host.cpu_info = r.cpu_info;
            host.cpu_count = static_cast<std::int64_t>(r.host_CPUs.size());
            host.capabilities = r.capabilities;
            if (!r.metrics.is_null()) {
                auto metrics = session_.host_metrics().get_record(r.metrics);
                host.memory_total = metrics.memory_total;
                host.memory_free = metrics.memory_free;
            }
            return host;
        });
    }

    std::string host_dmesg(bool clear) override {
        return translate([&] {
            auto host = session_.session().get_this_host(session_.ref());
            return clear ? session_.host().dmesg_clear(host) : session_.host().dmesg(host);
        });
    }

    std::string host_log() override {
        return translate([&] {
            return session_.host().get_log(session_.session().get_this_host(session_.ref()));
        });
    }

    int console_connect(const std::string& location) override {
        // The console is served by the host xm talks to: its location's path and query go to
        // the same server (socket or forwarded port), with this session for authorisation.
        const auto scheme = location.find("://");
        const auto path = location.find('/', scheme == std::string::npos ? 0 : scheme + 3);
        std::string target = path == std::string::npos ? "/console" : location.substr(path);
        target += std::string(target.find('?') == std::string::npos ? "?" : "&") +
                  "session_id=" + session_.ref().str();
        return open_console_tunnel(settings_, target);
    }

    TaskRecord task(const std::string& ref) override {
        return translate([&] {
            auto r = session_.task().get_record(x::Ref<x::task>(ref));
            return TaskRecord{ref, std::string(x::to_string(r.status)), r.progress, r.result,
                              r.error_info};
        });
    }

    void task_destroy(const std::string& ref) override {
        translate([&] {
            session_.task().destroy(x::Ref<x::task>(ref));
            return 0;
        });
    }

  private:
    static std::string url_for(const ConnectionSettings& settings) {
        if (settings.is_local_socket() && settings.server.rfind("httpu://", 0) == 0) {
            return "unix://" + settings.socket_path();
        }
        return settings.server;
    }

    static x::ConnectOptions options_for(const ConnectionSettings& settings) {
        x::ConnectOptions options;
        options.tls.verify = !settings.insecure;
        return options;
    }

    VmRecord to_vm(const x::Ref<x::VM>& ref, const x::VMRecord& r,
                   const x::VM_metricsRecord* metrics) {
        VmRecord vm;
        vm.ref = ref.str();
        vm.uuid = r.uuid;
        vm.name = r.name_label;
        vm.description = r.name_description;
        vm.power_state = std::string(x::to_string(r.power_state));
        vm.domid = r.domid;
        vm.is_control_domain = r.is_control_domain;
        vm.is_a_template = r.is_a_template;
        vm.memory_static_max = r.memory_static_max;
        vm.memory_dynamic_min = r.memory_dynamic_min;
        vm.memory_dynamic_max = r.memory_dynamic_max;
        vm.vcpus_max = r.VCPUs_max;
        vm.vcpus_at_startup = r.VCPUs_at_startup;
        vm.vcpus_params = r.VCPUs_params;
        vm.pv_kernel = r.PV_kernel;
        vm.pv_args = r.PV_args;
        vm.actions_after_shutdown = std::string(x::to_string(r.actions_after_shutdown));
        vm.actions_after_reboot = std::string(x::to_string(r.actions_after_reboot));
        vm.actions_after_crash = std::string(x::to_string(r.actions_after_crash));
        vm.other_config = r.other_config;
        vm.vbds = refs(r.VBDs);
        vm.vifs = refs(r.VIFs);
        vm.consoles = refs(r.consoles);
        if (metrics != nullptr) {
            vm.memory_actual = metrics->memory_actual;
            vm.vcpus_number = metrics->VCPUs_number;
            vm.vcpus_utilisation = metrics->VCPUs_utilisation;
            if (auto t = metrics->other_config.find("cpu_time"); t != metrics->other_config.end()) {
                try {
                    vm.cpu_time = std::stod(t->second);
                } catch (const std::exception&) {
                }
            }
            vm.vcpus_cpu = metrics->VCPUs_CPU;
            vm.state_flags = metrics->state;
            vm.start_time = iso(metrics->start_time);
        }
        return vm;
    }

    ConnectionSettings settings_;
    x::Session session_;
};

}  // namespace

std::unique_ptr<XenApi> connect_xen_api(const ConnectionSettings& settings) {
    return translate(
        [&]() -> std::unique_ptr<XenApi> { return std::make_unique<BindingXenApi>(settings); });
}

}  // namespace tern::cli
