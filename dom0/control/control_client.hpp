// Defines ControlClient: Tern's control ABI (hypervisor/include/public/tern_control.h) for
// dom0's user space — create, inspect, populate, shut down and destroy domains — over a
// Privcmd. Every refusal throws ControlError with the hypervisor's errno and the operation in
// words. This is the library the domain builder, the tern-ctl command and xapid's tern
// backend call.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dom0/control/privcmd.hpp"
#include "public/tern_control.h"

namespace tern::dom0 {

struct DomainLimits {
    std::uint32_t max_vcpus = 1;
    std::uint64_t max_memory_kib = 0;
    std::uint32_t max_grant_frames = 0;    // 0: the hypervisor's default
    std::uint32_t max_event_channels = 0;  // 0: the hypervisor's default
    std::array<std::uint8_t, 16> handle{};
};

struct PhysInfo {
    std::uint32_t nr_cpus = 0;
    std::uint32_t max_domains = 0;
    std::uint64_t total_pages = 0;
    std::uint64_t free_pages = 0;
};

class ControlClient {
  public:
    explicit ControlClient(Privcmd& privcmd,
                           std::uint32_t interface_version = TERN_CONTROL_INTERFACE_VERSION)
        : privcmd_(privcmd), version_(interface_version) {}

    std::uint32_t create(const DomainLimits& limits);
    void destroy(std::uint32_t domain);
    void pause(std::uint32_t domain);
    void unpause(std::uint32_t domain);
    void shutdown(std::uint32_t domain, std::uint32_t reason);
    tern_domain_info info(std::uint32_t domain);
    std::vector<tern_domain_info> list();
    // Backs [first_gfn, first_gfn + pages) with fresh zeroed memory (all or nothing).
    void populate(std::uint32_t domain, std::uint64_t first_gfn, std::uint64_t pages);
    // Returns how many pages went back.
    std::uint64_t release(std::uint32_t domain, std::uint64_t first_gfn, std::uint64_t pages);
    // Copies `bytes` into the domain's populated RAM from guest physical `address` on, with
    // the hypervisor doing the copy (TERN_CONTROL_WRITE_MEMORY, in pieces of at most
    // TERN_CONTROL_WRITE_MAX): nothing is mapped into dom0. A hypervisor without it answers
    // EOPNOTSUPP.
    void write_memory(std::uint32_t domain, std::uint64_t address,
                      std::span<const std::uint8_t> bytes);
    void set_vcpu_context(std::uint32_t domain, std::uint32_t vcpu, std::uint64_t pc,
                          std::uint64_t x0);
    void set_hvm_param(std::uint32_t domain, std::uint32_t index, std::uint64_t value);
    std::uint64_t hvm_param(std::uint32_t domain, std::uint32_t index);
    // A port of `domain` that `remote` may bind to.
    std::uint32_t alloc_unbound(std::uint32_t domain, std::uint32_t remote);
    PhysInfo physinfo();
    // The domain's weight (1..65535) and cap (percent of one CPU, 0: none), as xl sched-credit.
    void set_scheduling(std::uint32_t domain, std::uint32_t weight, std::uint32_t cap);
    tern_control_sched scheduling(std::uint32_t domain);
    // vCPU `vcpu` runs only on the physical CPUs of `cpumap` (bit per CPU), as xl vcpu-pin.
    void set_vcpu_affinity(std::uint32_t domain, std::uint32_t vcpu, std::uint32_t cpumap);

  private:
    tern_control make(std::uint32_t cmd, std::uint32_t domain = 0) const;
    // Issues the call; throws ControlError for a negative answer.
    void call(tern_control& c, const char* what);

    Privcmd& privcmd_;
    std::uint32_t version_;
};

// Human words for a state and a shutdown reason ("paused", "crash").
std::string state_name(std::uint32_t state);
std::string shutdown_reason_name(std::uint32_t reason);

}  // namespace tern::dom0
