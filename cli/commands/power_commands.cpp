// start, shutdown, reboot, destroy, pause, unpause, suspend, resume.
#include <chrono>
#include <thread>

#include "commands/domain_lookup.hpp"
#include "commands/handlers.hpp"

namespace tern::cli {

int run_console(Invocation&);

namespace {

int simple(Invocation& invocation, VmOperation operation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    invocation.api().vm_operation(vm.ref, operation);
    return 0;
}

// The domains -a means (every running one but the control domain), or the one named.
std::vector<VmRecord> targets(Invocation& invocation) {
    if (invocation.has("all")) {
        std::vector<VmRecord> running;
        for (auto& vm : domains(invocation.api())) {
            if (is_running(vm) && !vm.is_control_domain) {
                running.push_back(vm);
            }
        }
        return running;
    }
    if (invocation.args.empty()) {
        throw UsageError("name a domain or give -a");
    }
    return {resolve_domain(invocation.api(), invocation.args[0])};
}

// Polls until every VM is halted (shutdown) or running again (reboot: VM.clean_reboot
// returns once the guest is back, so this is its first check).
void wait_for(Invocation& invocation, const std::vector<VmRecord>& vms, bool reboot) {
    for (const auto& vm : vms) {
        while (is_running(invocation.api().vm(vm.ref)) != reboot) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        invocation.out() << "Domain " << vm.name << (reboot ? " rebooted" : " terminated") << "\n";
    }
    invocation.out() << "All domains " << (reboot ? "rebooted" : "terminated") << "\n";
}

int shutdown_or_reboot(Invocation& invocation, bool reboot) {
    auto vms = targets(invocation);
    for (const auto& vm : vms) {
        invocation.api().vm_operation(
            vm.ref, reboot ? VmOperation::kCleanReboot : VmOperation::kCleanShutdown);
    }
    if (invocation.has("wait")) {
        wait_for(invocation, vms, reboot);
    }
    return 0;
}

}  // namespace

int run_start(Invocation& invocation) {
    int status = simple(invocation,
                        invocation.has("paused") ? VmOperation::kStartPaused : VmOperation::kStart);
    if (status == 0 && invocation.has("console")) {
        return run_console(invocation);
    }
    return status;
}

int run_shutdown(Invocation& invocation) {
    return shutdown_or_reboot(invocation, invocation.has("reboot"));
}
int run_reboot(Invocation& invocation) {
    return shutdown_or_reboot(invocation, true);
}
int run_destroy(Invocation& invocation) {
    return simple(invocation, VmOperation::kHardShutdown);
}
int run_pause(Invocation& invocation) {
    return simple(invocation, VmOperation::kPause);
}
int run_unpause(Invocation& invocation) {
    return simple(invocation, VmOperation::kUnpause);
}
int run_suspend(Invocation& invocation) {
    return simple(invocation, VmOperation::kSuspend);
}
int run_resume(Invocation& invocation) {
    return simple(invocation,
                  invocation.has("paused") ? VmOperation::kResumePaused : VmOperation::kResume);
}

}  // namespace tern::cli
