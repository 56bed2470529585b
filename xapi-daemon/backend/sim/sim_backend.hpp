// Defines SimBackend: an in-process simulator of a host behind the Backend interface, for tests
// and demos (as xapi's simulator and libvirt's test driver are). It keeps domains with ids,
// states, memory and vCPUs, accounted against a host of a configured size; it refuses what does
// not fit with HOST_NOT_ENOUGH_FREE_MEMORY; each operation takes a configurable time, during
// which it reports progress and honours cancellation. Tests and the debug API drive it further:
// a guest can be made to power off, reboot or crash by itself, and any operation can be made
// to fail with a chosen error.
//
// By default nothing outlives the process: after a restart of xapid no domain is left, as after
// a reboot of a real host. With a persist file, the simulated host outlives xapid as a real one
// does: its domains are written there at every change and read back at start (so that xapid's
// reconciliation with running domains can be exercised).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "backend/backend.hpp"
#include "backend/sim/sim_console.hpp"

namespace tern::xapi {

// The operations of the simulator, for latencies and injected failures.
enum class SimOp {
    build,
    pause,
    unpause,
    clean_shutdown,
    destroy,
    suspend,
    resume,
    migrate,
    core_dump,
    rename,
    set_memory_target,
    set_memory_max,
    set_vcpus_online,
    pin_vcpu,
    set_scheduler,
    attach_disk,
    detach_disk,
    attach_nic,
    detach_nic,
    send_sysrq,
    send_trigger,
};

std::string_view to_string(SimOp op);
std::optional<SimOp> parse_sim_op(std::string_view text);

struct SimConfig {
    std::int64_t memory_total = 16LL << 30;  // bytes
    std::int64_t cpus = 8;
    // How long every operation takes, unless `latency_of` says otherwise.
    std::chrono::milliseconds latency{0};
    std::map<SimOp, std::chrono::milliseconds> latency_of;
    // Where the domains are kept across restarts; empty: nowhere.
    std::filesystem::path persist_file;
};

class SimBackend final : public Backend {
  public:
    explicit SimBackend(SimConfig config);

    std::string name() const override { return "sim"; }
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
    // Recorded for tests and the debug API; the simulated guest does nothing more.
    Outcome<void> send_sysrq(DomainId domain, char key) override;
    Outcome<void> send_trigger(DomainId domain, GuestTrigger trigger) override;
    // A stream on the guest's simulated console (sim_console.hpp); it closes when the domain
    // is destroyed, shut down or crashes.
    Outcome<ConsoleStream> open_console(DomainId domain) override;

    // The next `times` calls of `op` fail with `error` (after their latency).
    void inject_failure(SimOp op, BackendError error, int times = 1);
    void set_latency(SimOp op, std::chrono::milliseconds latency);
    // The guest of `domain` powers off, reboots or crashes by itself (or its domain vanishes);
    // the listener hears of it. False when there is no such running or paused domain.
    bool guest_exit(DomainId domain, GuestExit how);
    // While set, the guest ignores requests to shut down (clean_shutdown then times out).
    bool set_ignores_shutdown(DomainId domain, bool ignores);
    // The SysRq keys and triggers the domain has been sent, oldest first.
    std::string sysrqs_of(DomainId domain) const;
    std::vector<GuestTrigger> triggers_of(DomainId domain) const;

  private:
    struct Domain {
        DomainConfig config;
        DomainState state = DomainState::paused;
        std::int64_t memory_actual = 0;
        std::int64_t memory_max = 0;
        std::int64_t vcpus_online = 0;
        std::int64_t weight = 256;
        std::int64_t cap = 0;
        std::map<std::int64_t, std::vector<std::int64_t>> pins;
        bool ignores_shutdown = false;
        std::string sysrqs;
        std::vector<GuestTrigger> triggers;
        std::chrono::nanoseconds cpu_time{0};
        std::chrono::steady_clock::time_point running_since;
        std::shared_ptr<SimConsole> console;  // made at the first attach
    };
    struct Injected {
        BackendError error;
        int times = 0;
    };

    // Spends the operation's latency in slices, reporting progress and watching for a cancel;
    // then answers an injected failure if one is due.
    Outcome<void> work(SimOp op, const OperationControl& control);
    std::optional<BackendError> injected(SimOp op);
    Outcome<DomainId> create_locked(const DomainConfig& config, std::int64_t memory);
    std::int64_t memory_used_locked() const;
    DomainInfo info_locked(DomainId id, const Domain& d) const;
    Domain* find_locked(DomainId id);
    static void account_cpu(Domain& d);
    void persist_locked();
    void load_persisted();

    mutable std::mutex mutex_;
    SimConfig config_;
    std::map<DomainId, Domain> domains_;
    std::map<SimOp, Injected> injected_;
    std::int32_t next_id_ = 1;
    Listener* listener_ = nullptr;
};

}  // namespace tern::xapi
