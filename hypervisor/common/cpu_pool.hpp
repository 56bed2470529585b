// Defines CpuPool: which physical CPUs run which domain's vCPU. dom0's vCPUs are pinned to
// their CPUs; every other CPU can be given to one vCPU of another domain, which then has it
// to itself until it stops (shuts down, or is stopped to be destroyed). Time-sharing a CPU
// between vCPUs is the scheduler's job, which comes later; until then a domain starts only
// when there are enough free CPUs for its vCPUs.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "lib/spinlock.hpp"
#include "public/xen.hpp"
#include "tern/status.hpp"

namespace tern::hv {

class Domain;

struct CpuAssignment {
    Domain* domain = nullptr;
    std::uint32_t vcpu = 0;
};

class CpuPool {
  public:
    static constexpr std::size_t kMaxCpus = 8;

    // `count` CPUs; bit i of `dom0_cpus` set: CPU i runs one of dom0's vCPUs.
    void reset(std::size_t count, std::uint32_t dom0_cpus);

    // Gives each of the first `vcpus` vCPUs of `domain` a free CPU (lowest first). busy,
    // and nothing assigned, when there are not enough free CPUs. Returns the CPUs given.
    Result<std::uint32_t> assign(Domain& domain, std::uint32_t vcpus);
    // Gives vCPU `vcpu` of `domain` (started later, by PSCI CPU_ON) the lowest free CPU.
    // already_exists when it holds one; busy when none is free.
    Result<std::size_t> assign_vcpu(Domain& domain, std::uint32_t vcpu);
    // Whether vCPU `vcpu` of `domain` holds a CPU (started, or about to).
    bool holds_vcpu(const Domain& domain, std::uint32_t vcpu) const;
    // On CPU `cpu`: the vCPU assigned to it that has not started yet, now marked running.
    std::optional<CpuAssignment> take(std::size_t cpu);
    // The vCPU running on `cpu` (if any).
    std::optional<CpuAssignment> running_on(std::size_t cpu) const;
    // The CPU vCPU `vcpu` of `domain` runs on (if it runs).
    std::optional<std::size_t> cpu_of(const Domain& domain, std::uint32_t vcpu) const;
    // The vCPU on `cpu` left it for good: the CPU is free again.
    void release(std::size_t cpu);
    // Asks the CPUs of `domain` to give it up; returns them (CPUs it was assigned to but had
    // not started on are freed at once and not returned).
    std::uint32_t request_stop(pub::domid_t domain);
    bool stop_requested(std::size_t cpu) const;
    // Whether any CPU is still given to `domain`.
    bool holds(pub::domid_t domain) const;

  private:
    enum class State : std::uint8_t { dom0, free, assigned, running, stopping };
    struct Cpu {
        State state = State::free;
        CpuAssignment vcpu;
    };
    std::array<Cpu, kMaxCpus> cpus_{};
    std::size_t count_ = 0;
    mutable lib::SpinLock lock_;
};

}  // namespace tern::hv
