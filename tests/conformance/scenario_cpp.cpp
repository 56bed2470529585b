// The conformance scenario (scenario.md) through the C++ binding. Prints the transcript.
//
// Usage: scenario_cpp --url URL --user USER --password PASSWORD [--cafile FILE]
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "tern/xenapi/xenapi.hpp"

namespace {

using namespace tern::xenapi;

constexpr std::int64_t kMiB = 1048576;
const char* const kSteps[] = {"login",          "host",    "template", "vm",
                              "memory",         "vcpus",   "disk",     "nic",
                              "start",          "pause",   "unpause",  "bad_power_state",
                              "async_shutdown", "destroy", "logout"};

struct Args {
    std::string url, user, password, cafile;
};

class Transcript {
  public:
    void say(const std::string& text) {
        ++done_;
        std::cout << (done_ < 10 ? "0" : "") << done_ << " " << kSteps[done_ - 1] << ": " << text
                  << std::endl;
    }
    void fail(const std::string& what) const {
        const int n = done_ + 1;
        std::cout << (n < 10 ? "0" : "") << n << " " << (n <= 15 ? kSteps[n - 1] : "end")
                  << ": FAILED " << what << std::endl;
    }

  private:
    int done_ = 0;
};

std::string show(bool b) {
    return b ? "true" : "false";
}

std::string error_params(const Failure& f, const Ref<VM>& vm) {
    std::string out = "[";
    for (std::size_t i = 0; i < f.params().size(); ++i)
        out += (i ? "," : "") + (f.params()[i] == vm.str() ? std::string("<vm>") : f.params()[i]);
    return out + "]";
}

// event.from on `classes` until one event satisfies `done`.
template <class Done>
void wait_for_event(Session& s, const std::vector<std::string>& classes, std::string token,
                    Done done) {
    for (;;) {
        const EventBatch batch = s.event().from(classes, token, 10.0);
        token = batch.token;
        for (const eventRecord& e : batch.events)
            if (done(e))
                return;
    }
}

void run(const Args& args, Transcript& out) {
    ConnectOptions options;
    options.tls.ca_file = args.cafile;
    Session s(args.url, options);
    const Ref<session> me =
        s.login_with_password(args.user, args.password, "2.1", "tern-conformance");
    out.say("ok");

    const hostRecord h = s.host().get_record(s.session().get_this_host(me));
    const host_metricsRecord hm = s.host_metrics().get_record(h.metrics);
    out.say("API_version=" + std::to_string(h.API_version_major) + "." +
            std::to_string(h.API_version_minor) + " vendor=" + h.API_version_vendor +
            " enabled=" + show(h.enabled) + " memory_total=" + std::to_string(hm.memory_total));

    VMRecord fields;
    fields.name_label = "conformance-template";
    fields.is_a_template = true;
    fields.memory_static_min = fields.memory_dynamic_min = 256 * kMiB;
    fields.memory_dynamic_max = fields.memory_static_max = 256 * kMiB;
    fields.VCPUs_max = fields.VCPUs_at_startup = 1;
    fields.PV_kernel = "/boot/vmlinuz";
    fields.PV_args = "console=hvc0";
    fields.actions_after_reboot = OnNormalExit::restart;
    fields.actions_after_shutdown = OnNormalExit::destroy;
    const Ref<VM> tmpl = s.VM().create(fields);
    VMRecord r = s.VM().get_record(tmpl);
    out.say("name_label=" + r.name_label + " is_a_template=" + show(r.is_a_template));

    const Ref<VM> vm = s.VM().clone(tmpl, "conformance-guest");
    s.VM().provision(vm);
    s.VM().set_is_a_template(vm, false);
    r = s.VM().get_record(vm);
    out.say("name_label=" + r.name_label + " is_a_template=" + show(r.is_a_template) +
            " power_state=" + std::string(to_string(r.power_state)));

    s.VM().set_memory_static_max(vm, 512 * kMiB);
    s.VM().set_memory_dynamic_max(vm, 512 * kMiB);
    s.VM().set_memory_dynamic_min(vm, 512 * kMiB);
    r = s.VM().get_record(vm);
    out.say("static_min=" + std::to_string(r.memory_static_min) +
            " dynamic_min=" + std::to_string(r.memory_dynamic_min) +
            " dynamic_max=" + std::to_string(r.memory_dynamic_max) +
            " static_max=" + std::to_string(r.memory_static_max));

    s.VM().set_VCPUs_max(vm, 2);
    s.VM().set_VCPUs_at_startup(vm, 2);
    r = s.VM().get_record(vm);
    out.say("max=" + std::to_string(r.VCPUs_max) +
            " at_startup=" + std::to_string(r.VCPUs_at_startup));

    const Ref<pool> p = s.pool().get_all().at(0);
    VDIRecord disk;
    disk.SR = s.pool().get_default_SR(p);
    disk.virtual_size = 64 * kMiB;
    disk.name_label = "conformance-disk";
    disk.type = VdiType::user;
    disk.sharable = false;
    disk.read_only = false;
    const Ref<VDI> vdi = s.VDI().create(disk);
    VBDRecord attach;
    attach.VM = vm;
    attach.VDI = vdi;
    attach.userdevice = "0";
    attach.bootable = true;
    attach.mode = VbdMode::RW;
    attach.type = VbdType::Disk;
    attach.empty = false;
    const Ref<VBD> vbd = s.VBD().create(attach);
    const VBDRecord b = s.VBD().get_record(vbd);
    out.say("virtual_size=" + std::to_string(s.VDI().get_virtual_size(vdi)) +
            " userdevice=" + b.userdevice + " type=" + std::string(to_string(b.type)) + " mode=" +
            std::string(to_string(b.mode)) + " vbds=" + std::to_string(s.VM().get_VBDs(vm).size()));

    networkRecord net;
    net.name_label = "conformance-net";
    net.bridge = "xenbr0";
    const Ref<network> nw = s.network().create(net);
    VIFRecord nic;
    nic.VM = vm;
    nic.network = nw;
    nic.device = "0";
    nic.MTU = 1500;
    const Ref<VIF> vif = s.VIF().create(nic);
    const VIFRecord v = s.VIF().get_record(vif);
    out.say("device=" + v.device + " MTU=" + std::to_string(v.MTU) + " mac_prefix=" +
            v.MAC.substr(0, 9) + " vifs=" + std::to_string(s.VM().get_VIFs(vm).size()));

    std::vector<std::string> watched{"VM/" + vm.str()};
    std::string token = s.event().from(watched, "", 0.0).token;
    s.VM().start(vm, false, false);
    wait_for_event(s, watched, token, [&](const eventRecord& e) {
        return e.ref == vm.str() && e.snapshot.is<Struct>() &&
               e.snapshot.member("power_state") == Value("Running");
    });
    r = s.VM().get_record(vm);
    out.say("event=Running power_state=" + std::string(to_string(r.power_state)) +
            " domid_positive=" + show(r.domid > 0) +
            " vbd_attached=" + show(s.VBD().get_currently_attached(vbd)) +
            " vif_attached=" + show(s.VIF().get_currently_attached(vif)));

    s.VM().pause(vm);
    out.say("power_state=" + std::string(to_string(s.VM().get_power_state(vm))));
    s.VM().unpause(vm);
    out.say("power_state=" + std::string(to_string(s.VM().get_power_state(vm))));

    try {
        s.VM().start(vm, false, false);
        throw std::runtime_error("VM.start of a running VM succeeded");
    } catch (const errors::VM_BAD_POWER_STATE& f) {
        out.say("code=" + f.code() + " params=" + error_params(f, vm));
    }

    const Ref<task> t = s.VM().async_clean_shutdown(vm);
    watched = {"task/" + t.str()};
    token = s.event().from(watched, "", 0.0).token;
    for (;;) {
        const TaskStatusType status = s.task().get_status(t);
        if (status != TaskStatusType::pending && status != TaskStatusType::cancelling)
            break;
        token = s.event().from(watched, token, 10.0).token;
    }
    const taskRecord k = s.task().get_record(t);
    s.task().destroy(t);
    out.say("status=" + std::string(to_string(k.status)) + " name=" + k.name_label +
            " power_state=" + std::string(to_string(s.VM().get_power_state(vm))) +
            " vif_attached=" + show(s.VIF().get_currently_attached(vif)));

    s.VM().destroy(vm);
    s.VDI().destroy(vdi);
    s.VM().destroy(tmpl);
    s.network().destroy(nw);
    try {
        s.VM().get_record(vm);
        throw std::runtime_error("VM.get_record of a destroyed VM succeeded");
    } catch (const Failure& f) {
        out.say("code=" + f.code() + " params=" + error_params(f, vm));
    }

    s.logout();
    out.say("ok");
}

}  // namespace

int main(int argc, char** argv) {
    Args args;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        std::string* slot = key == "--url"        ? &args.url
                            : key == "--user"     ? &args.user
                            : key == "--password" ? &args.password
                            : key == "--cafile"   ? &args.cafile
                                                  : nullptr;
        if (!slot) {
            std::cerr << "usage: scenario_cpp --url URL --user USER --password PASSWORD [--cafile "
                         "FILE]\n";
            return 2;
        }
        *slot = argv[i + 1];
    }
    Transcript out;
    try {
        run(args, out);
    } catch (const Failure& f) {
        out.fail("Failure: " + std::string(f.what()));
        return 1;
    } catch (const std::exception& e) {
        out.fail(e.what());
        return 1;
    }
    return 0;
}
