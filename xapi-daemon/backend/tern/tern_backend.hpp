// Defines TernBackend: xapid's backend for real domains on the Tern hypervisor, run in dom0
// (`xapid --backend tern`). It builds domains with dom0's domain builder, drives them through
// Tern's control ABI, and talks to the guests' drivers through xenstore as Xen's toolstack
// does: control/shutdown ("poweroff", "reboot"), control/sysrq, memory/target (the balloon),
// cpu/N/availability (vCPU hot-unplug), name. The domain handle carries the VM's uuid, so a
// restarted xapid finds its domains again. A thread follows the domains (woken by xenstored's
// @releaseDomain, and every poll interval) and reports the guests that powered off, rebooted,
// crashed or vanished by themselves to the listener.
//
// A domain's disks are tern-blkback's (vbd entries written with the domain, closed before it
// is destroyed); its console is tern-consoled's pty. What Tern cannot do yet (save and
// restore, migration, core dumps, a new memory ceiling, hot-plugged disks, NICs, platform
// triggers) fails with NOT_IMPLEMENTED naming the operation. vCPU affinity and the scheduler's
// weight and cap go to Tern's scheduler.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "backend/backend.hpp"
#include "backend/tern/cpu_meter.hpp"
#include "backend/tern/exit_tracker.hpp"
#include "backend/tern/tern_host.hpp"

namespace tern::xapi {

struct TernOptions {
    // How often the domains are looked at when xenstored says nothing.
    std::chrono::milliseconds poll_interval{500};
    // How often clean_shutdown looks whether the guest has stopped.
    std::chrono::milliseconds shutdown_poll{100};
    // How long open_console waits for tern-consoled to give a new domain its pty.
    std::chrono::milliseconds console_wait{10000};
};

class TernBackend final : public Backend {
  public:
    explicit TernBackend(std::unique_ptr<TernHost> host, TernOptions options = {});
    ~TernBackend() override;

    std::string name() const override { return "tern"; }
    void set_listener(Listener* listener) override;
    HostInfo host_info() override;
    std::vector<DomainInfo> list_domains() override;
    std::optional<DomainInfo> domain_info(DomainId domain) override;

    Outcome<DomainId> build(const DomainConfig& config, const OperationControl& op) override;
    Outcome<void> pause(DomainId domain) override;
    Outcome<void> unpause(DomainId domain) override;
    Outcome<void> clean_shutdown(DomainId domain, bool reboot, std::chrono::milliseconds timeout,
                                 const OperationControl& op) override;
    Outcome<void> destroy(DomainId domain) override;
    Outcome<void> suspend(DomainId domain, const std::filesystem::path& file,
                          const OperationControl& op) override;
    Outcome<DomainId> resume(const DomainConfig& config, const std::filesystem::path& file,
                             const OperationControl& op) override;
    Outcome<void> migrate(DomainId domain, const std::string& destination, bool live,
                          const OperationControl& op) override;
    Outcome<void> core_dump(DomainId domain, const std::filesystem::path& file) override;
    Outcome<void> rename(DomainId domain, const std::string& name) override;
    Outcome<void> set_memory_target(DomainId domain, std::int64_t bytes) override;
    Outcome<void> set_memory_max(DomainId domain, std::int64_t bytes) override;
    Outcome<void> set_vcpus_online(DomainId domain, std::int64_t count) override;
    Outcome<void> pin_vcpu(DomainId domain, std::int64_t vcpu,
                           const std::vector<std::int64_t>& cpus) override;
    Outcome<void> set_scheduler(DomainId domain, std::int64_t weight, std::int64_t cap) override;
    Outcome<void> attach_disk(DomainId domain, const DiskConfig& disk) override;
    Outcome<void> detach_disk(DomainId domain, const std::string& device) override;
    Outcome<void> attach_nic(DomainId domain, const NicConfig& nic) override;
    Outcome<void> detach_nic(DomainId domain, const std::string& device) override;
    Outcome<void> send_sysrq(DomainId domain, char key) override;
    Outcome<void> send_trigger(DomainId domain, GuestTrigger trigger) override;
    // tern-consoled's pty of the domain (xenstore console/tty), opened in raw mode. Each
    // stream is another opener of the same pty: the guest's output goes to whichever reads it
    // first, so one attached stream at a time sees all of it.
    Outcome<ConsoleStream> open_console(DomainId domain) override;

    // One look at the domains, reporting the guests that stopped by themselves (the watch
    // thread calls this; tests call it directly).
    void scan_for_exits();

  private:
    std::optional<tern_domain_info> find(DomainId domain);
    DomainInfo info_of(const tern_domain_info& d);
    // Writes the domain's key, or says why not (no such domain, xenstored down).
    Outcome<void> write_key(DomainId domain, const std::string& key, const std::string& value);
    // Reads the domain's key (nothing when it is absent), or says why not, as write_key.
    Outcome<std::optional<std::string>> read_key(DomainId domain, const std::string& key);
    void watch_loop();
    void stop_watching();

    std::unique_ptr<TernHost> host_;
    TernOptions options_;

    std::mutex tracker_mutex_;  // the tracker, and a list+update against a destroy
    ExitTracker tracker_;
    std::mutex meter_mutex_;
    CpuMeter meter_;

    std::mutex listener_mutex_;
    Listener* listener_ = nullptr;
    std::atomic<bool> stopping_{false};
    std::thread watcher_;
};

}  // namespace tern::xapi
