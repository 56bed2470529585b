// FakeXenApi's behaviour: just enough of the server's for the commands' tests.
#include "fake_xen_api_for_test.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

namespace tern::cli {

FakeXenApi::FakeXenApi() {
    host_.ref = "OpaqueRef:host";
    host_.uuid = "host-uuid";
    host_.name = "tern";
    host_.hostname = "tern-host";
    host_.address = "192.0.2.1";
    host_.sched_policy = "credit";
    host_.api_version_major = 2;
    host_.api_version_minor = 0;
    host_.api_vendor = "Tern";
    host_.cpu_count = 4;
    host_.memory_total = 4096LL << 20;
    host_.memory_free = 2048LL << 20;
    srs_.push_back({"OpaqueRef:sr", "sr-uuid", "Local storage", "file", 10LL << 30, 1LL << 30, {}});
    networks_.push_back({"OpaqueRef:net0", "net0-uuid", "Host internal network", "xapi0"});
    networks_.push_back({"OpaqueRef:net1", "net1-uuid", "xenbr0", "xenbr0"});
    VmRecord dom0;
    dom0.ref = "OpaqueRef:dom0";
    dom0.uuid = "dom0-uuid";
    dom0.name = "Domain-0";
    dom0.power_state = "Running";
    dom0.domid = 0;
    dom0.is_control_domain = true;
    dom0.memory_actual = dom0.memory_dynamic_max = dom0.memory_static_max = 512LL << 20;
    dom0.vcpus_max = dom0.vcpus_at_startup = dom0.vcpus_number = 1;
    dom0.vcpus_utilisation = {{0, 5.25}};
    dom0.vcpus_cpu = {{0, 0}};
    dom0.state_flags = {"running"};
    vms_.push_back(dom0);
    VmRecord templ;
    templ.ref = "OpaqueRef:template";
    templ.name = "Debian template";
    templ.is_a_template = true;
    templ.power_state = "Halted";
    vms_.push_back(templ);
}

void FakeXenApi::call(const std::string& name, const std::string& detail) {
    calls.push_back(detail.empty() ? name : name + " " + detail);
    auto failure = failures.find(name);
    if (failure != failures.end()) {
        throw failure->second;
    }
}

VmRecord& FakeXenApi::find_vm(const std::string& ref) {
    for (auto& vm : vms_) {
        if (vm.ref == ref) {
            return vm;
        }
    }
    throw ApiFailure("HANDLE_INVALID", {"VM", ref});
}

std::string FakeXenApi::add_running_vm(const std::string& name, std::int64_t domid,
                                       std::int64_t mib, std::int64_t vcpus) {
    VmRecord vm;
    vm.ref = "OpaqueRef:" + name;
    vm.uuid = name + "-uuid";
    vm.name = name;
    vm.power_state = "Running";
    vm.domid = domid;
    vm.memory_actual = vm.memory_dynamic_max = mib << 20;
    vm.memory_static_max = 2 * (mib << 20);
    vm.vcpus_max = vm.vcpus_at_startup = vm.vcpus_number = vcpus;
    for (std::int64_t i = 0; i < vcpus; ++i) {
        vm.vcpus_utilisation[i] = 1.5;
        vm.vcpus_cpu[i] = i;
    }
    vm.state_flags = {"blocked"};
    vm.start_time = "20260101T00:00:00Z";
    vms_.push_back(vm);
    return vm.ref;
}

std::vector<VmRecord> FakeXenApi::vms() {
    return vms_;
}
VmRecord FakeXenApi::vm(const std::string& ref) {
    return find_vm(ref);
}

std::string FakeXenApi::vm_create(const VmConfig& config, bool transient) {
    call("VM.create", config.name + (transient ? " transient" : ""));
    VmRecord vm;
    vm.ref = "OpaqueRef:new" + std::to_string(++next_);
    vm.uuid = "new-uuid-" + std::to_string(next_);
    vm.name = config.name;
    vm.power_state = "Halted";
    vm.memory_dynamic_max = config.memory_dynamic_max;
    vm.memory_static_max = config.memory_static_max;
    vm.vcpus_max = vm.vcpus_at_startup = config.vcpus_max;
    vm.vcpus_params = config.api_vcpu_params();
    vms_.push_back(vm);
    return vm.ref;
}

void FakeXenApi::vm_destroy(const std::string& vm) {
    call("VM.destroy", vm);
    std::erase_if(vms_, [&](const VmRecord& record) { return record.ref == vm; });
}

void FakeXenApi::vm_operation(const std::string& vm, VmOperation operation) {
    static const char* kNames[] = {
        "VM.start", "VM.start_paused", "VM.clean_shutdown", "VM.clean_reboot", "VM.hard_shutdown",
        "VM.pause", "VM.unpause",      "VM.suspend",        "VM.resume",       "VM.resume_paused"};
    call(kNames[static_cast<int>(operation)], vm);
    VmRecord& record = find_vm(vm);
    switch (operation) {
        case VmOperation::kStart:
        case VmOperation::kResume:
            record.power_state = "Running";
            record.domid = 7;
            break;
        case VmOperation::kStartPaused:
        case VmOperation::kResumePaused:
            record.power_state = "Paused";
            record.domid = 7;
            break;
        case VmOperation::kPause:
            record.power_state = "Paused";
            break;
        case VmOperation::kUnpause:
            record.power_state = "Running";
            break;
        case VmOperation::kSuspend:
            record.power_state = "Suspended";
            break;
        case VmOperation::kCleanShutdown:
        case VmOperation::kHardShutdown:
            record.power_state = "Halted";
            break;
        case VmOperation::kCleanReboot:
            record.start_time = "20260102T00:00:00Z";
            break;
    }
}

void FakeXenApi::vm_set_name(const std::string& vm, const std::string& name) {
    call("VM.set_name_label", vm + " " + name);
    find_vm(vm).name = name;
}

void FakeXenApi::vm_set_memory_dynamic_live(const std::string& vm, std::int64_t bytes) {
    call("VM.set_memory_dynamic_live", vm + " " + std::to_string(bytes));
}

void FakeXenApi::vm_set_memory_static_max(const std::string& vm, std::int64_t bytes) {
    call("VM.set_memory_static_max", vm + " " + std::to_string(bytes));
}

void FakeXenApi::vm_set_vcpus_live(const std::string& vm, std::int64_t count) {
    call("VM.set_VCPUs_number_live", vm + " " + std::to_string(count));
}

void FakeXenApi::vm_add_vcpus_param_live(const std::string& vm, const std::string& key,
                                         const std::string& value) {
    call("VM.add_to_VCPUs_params_live", vm + " " + key + "=" + value);
    find_vm(vm).vcpus_params[key] = value;
}

void FakeXenApi::vm_dump_core(const std::string& vm, const std::string& file, bool live,
                              bool crash) {
    call("VM.dump_core", vm + " " + file + (live ? " live" : "") + (crash ? " crash" : ""));
}

std::string FakeXenApi::vm_save_async(const std::string& vm, const std::string& file,
                                      bool checkpoint) {
    call("Async.VM.save", vm + " " + file + (checkpoint ? " checkpoint" : ""));
    return "OpaqueRef:task";
}

std::string FakeXenApi::vm_restore_async(const std::string& file, bool paused) {
    call("Async.VM.restore", file + (paused ? " paused" : ""));
    return "OpaqueRef:task";
}

std::string FakeXenApi::vm_migrate_async(const std::string& vm, const std::string& destination,
                                         bool live) {
    call("Async.VM.migrate", vm + " " + destination + (live ? " live" : ""));
    return "OpaqueRef:task";
}

std::vector<VbdRecord> FakeXenApi::vbds_of(const std::string& vm) {
    std::vector<VbdRecord> result;
    std::copy_if(vbds_.begin(), vbds_.end(), std::back_inserter(result),
                 [&](const VbdRecord& vbd) { return vbd.vm == vm; });
    return result;
}

std::string FakeXenApi::vbd_create(const std::string& vm, const std::string& vdi,
                                   const std::string& device, bool writable, bool cdrom,
                                   bool bootable) {
    call("VBD.create", vm + " " + vdi + " " + device + (writable ? " RW" : " RO"));
    VbdRecord vbd{"OpaqueRef:vbd" + std::to_string(++next_),
                  "vbd-uuid-" + std::to_string(next_),
                  vm,
                  vdi,
                  device,
                  writable ? "RW" : "RO",
                  cdrom ? "CD" : "Disk",
                  bootable,
                  false};
    vbds_.push_back(vbd);
    return vbd.ref;
}

void FakeXenApi::vbd_destroy(const std::string& vbd) {
    call("VBD.destroy", vbd);
    std::erase_if(vbds_, [&](const VbdRecord& record) { return record.ref == vbd; });
}

std::vector<VifRecord> FakeXenApi::vifs_of(const std::string& vm) {
    std::vector<VifRecord> result;
    std::copy_if(vifs_.begin(), vifs_.end(), std::back_inserter(result),
                 [&](const VifRecord& vif) { return vif.vm == vm; });
    return result;
}

std::string FakeXenApi::vif_create(const std::string& vm, const std::string& network,
                                   const std::string& device, const std::string& mac,
                                   std::int64_t mtu) {
    call("VIF.create", vm + " " + network + " " + device + " " + mac);
    VifRecord vif{"OpaqueRef:vif" + std::to_string(++next_),
                  "vif-uuid-" + std::to_string(next_),
                  vm,
                  network,
                  device,
                  mac.empty() ? "00:16:3e:00:00:99" : mac,
                  mtu,
                  false};
    vifs_.push_back(vif);
    return vif.ref;
}

void FakeXenApi::vif_destroy(const std::string& vif) {
    call("VIF.destroy", vif);
    std::erase_if(vifs_, [&](const VifRecord& record) { return record.ref == vif; });
}

std::vector<VdiRecord> FakeXenApi::vdis() {
    return vdis_;
}

std::string FakeXenApi::vdi_create(const std::string& sr, const std::string& name,
                                   std::int64_t size, bool sharable, bool read_only,
                                   const StringMap& other_config) {
    auto location = other_config.find("location");
    call("VDI.create", sr + " " + name + " " + std::to_string(size) +
                           (location == other_config.end() ? "" : " " + location->second));
    VdiRecord vdi;
    vdi.ref = "OpaqueRef:vdi" + std::to_string(++next_);
    vdi.uuid = "vdi-uuid-" + std::to_string(next_);
    vdi.name = name;
    vdi.sr = sr;
    vdi.type = "user";
    vdi.virtual_size = size;
    vdi.sharable = sharable;
    vdi.read_only = read_only;
    vdis_.push_back(vdi);
    return vdi.ref;
}

void FakeXenApi::vdi_destroy(const std::string& vdi) {
    call("VDI.destroy", vdi);
    std::erase_if(vdis_, [&](const VdiRecord& record) { return record.ref == vdi; });
}

std::string FakeXenApi::vdi_copy_async(const std::string& vdi, const std::string& sr) {
    call("Async.VDI.copy", vdi + " " + sr);
    for (const auto& record : vdis_) {
        if (record.ref == vdi) {
            VdiRecord copy = record;
            copy.ref = "OpaqueRef:vdi" + std::to_string(++next_);
            copy.uuid = "vdi-uuid-" + std::to_string(next_);
            vdis_.push_back(copy);
            tasks_.push_back({"t", "success", 1.0, "<value>" + copy.ref + "</value>", {}});
            break;
        }
    }
    return "OpaqueRef:task";
}

std::vector<SrRecord> FakeXenApi::srs() {
    return srs_;
}
std::vector<NetworkRecord> FakeXenApi::networks() {
    return networks_;
}

std::vector<ConsoleRecord> FakeXenApi::consoles_of(const std::string& vm) {
    return {{"OpaqueRef:console", "vt100", "https://host/console?ref=" + vm}};
}

HostRecord FakeXenApi::host() {
    return host_;
}

std::string FakeXenApi::host_dmesg(bool clear) {
    call(clear ? "host.dmesg_clear" : "host.dmesg");
    return dmesg_;
}

std::string FakeXenApi::host_log() {
    call("host.get_log");
    return "xapid: ready\n";
}

int FakeXenApi::console_connect(const std::string& location) {
    call("console_connect", location);
    if (console_text_.empty()) {
        throw ApiFailure("NOT_IMPLEMENTED", {"console"});
    }
    int ends[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, ends) != 0) {
        throw std::runtime_error("socketpair failed");
    }
    // The text fits in the socket buffer, so it can be written and closed at once.
    (void)!::write(ends[1], console_text_.data(), console_text_.size());
    ::close(ends[1]);
    return ends[0];
}

TaskRecord FakeXenApi::task(const std::string& task) {
    call("task.get_record", task);
    if (tasks_.empty()) {
        return {task, "success", 1.0, "", {}};
    }
    TaskRecord next = tasks_.front();
    tasks_.erase(tasks_.begin());
    return next;
}

void FakeXenApi::task_destroy(const std::string& task) {
    call("task.destroy", task);
}

}  // namespace tern::cli
