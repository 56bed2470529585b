// Defines Scheduler: which vCPU of which domain runs on which physical CPU, and when it gives
// the CPU to another. Every CPU runs any runnable vCPU of any domain, dom0's included; a vCPU
// may run on a different CPU each time (migration), within its affinity (dom0's vCPUs are
// pinned one per CPU only when Tern is booted with dom0_vcpus_pin).
//
// The policy is proportional share by virtual time: a vCPU's virtual time grows by the time it
// ran times default weight / its domain's weight, and a CPU picks the eligible vCPU with the
// smallest. A vCPU runs for at most one slice while others wait. A domain's cap (percent of one
// CPU, as Xen's credit scheduler counts it) limits the CPU time it gets per cap period: past
// it, its vCPUs wait for the next period. A vCPU that wakes goes back to the CPU it ran on last
// if that one is idle (where its TLB entries still are; another idle CPU takes it only after
// kCacheHotNs). A vCPU that waits for an interrupt (WFI,
// SCHEDOP_block) is blocked until an interrupt is raised for it or its deadline (its virtual
// timer, a poll's timeout) passes; a vCPU that wakes gets a virtual time at most one slice
// behind the others', so that sleeping earns no credit for later. Each vCPU's Xen runstate
// (running on a CPU, runnable while it waits for one, blocked, offline; ns in each) is kept
// as it enters and leaves CPUs and blocks and wakes (RunstateClock).
//
// The scheduler decides; the caller moves registers (arch::VcpuContext) and sends the CPUs the
// kicks it names (a mask of CPU indexes). Time is passed in (system time, ns), so that the
// policy is tested on the host.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "common/physical_timer.hpp"
#include "common/runstate_clock.hpp"
#include "lib/spinlock.hpp"
#include "public/xen.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/arch/vcpu_context.hpp"
#include "tern/status.hpp"

namespace tern::hv {

class Domain;
class Vgic;

// What the scheduler keeps of a domain (one per domain, owned by it).
struct SchedDomain {
    static constexpr std::uint32_t kDefaultWeight = 256;  // Xen's credit default
    Domain* domain = nullptr;  // the domain dom0 created; nullptr for dom0, built at boot
    Vgic* vgic = nullptr;      // for the caller: the vGIC its vCPUs are served by
    std::uint64_t vttbr = 0;   // dom0's stage 2 (a created domain's is its Domain's)
    pub::domid_t id = 0;
    std::uint32_t weight = kDefaultWeight;
    std::uint32_t cap = 0;  // percent of one CPU per cap period; 0: none
    bool paused = false;
    bool stopping = false;  // shutting down or being destroyed: its vCPUs never run again
    static constexpr std::uint32_t kMaxVcpus = 8;
    std::array<std::uint32_t, kMaxVcpus> affinity{~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u, ~0u};
    std::uint64_t period_start = 0;
    std::uint64_t period_used = 0;  // ns run in the current cap period
    std::atomic<std::uint64_t> cpu_time_ns{0};
};

enum class VcpuState : std::uint8_t {
    free,      // the slot holds no vCPU
    starting,  // added, its context being set; not runnable yet
    runnable,
    running,  // the current vCPU of a CPU
    blocked,  // waiting for an interrupt or its deadline
    offline,  // turned itself off (PSCI CPU_OFF); the slot frees when it leaves its CPU
};

struct SchedVcpu {
    SchedDomain* domain = nullptr;
    std::uint32_t vcpu = 0;
    VcpuState state = VcpuState::free;
    bool on_cpu = false;  // its registers are in a CPU (until switch_from saves them)
    bool yielded = false;
    bool fresh = true;                             // has not run yet
    bool has_run = false;                          // it has been on a CPU: `cpu` says which
    std::size_t cpu = 0;                           // the CPU it runs on, or ran on last
    std::size_t interrupts_cpu = ~std::size_t{0};  // where its hardware SPIs go (for the caller)
    std::uint32_t affinity = ~0u;
    std::uint64_t vruntime = 0;
    std::uint64_t block_deadline = 0;  // 0: none
    std::uint64_t wake_deadline = 0;   // while blocked: when it wakes anyway (0: never)
    arch::VcpuContext context{};
    PhysicalTimer physical_timer;  // its EL1 physical timer, emulated (it moves with it)
    RunstateClock runstate;        // Xen's runstate: on a CPU, waiting for one, blocked, off
};

class Scheduler {
  public:
    static constexpr std::size_t kMaxCpus = arch::kMaxCpus;
    static constexpr std::size_t kMaxVcpus = 64;
    static constexpr std::uint64_t kSliceNs = 10'000'000;       // 10 ms
    static constexpr std::uint64_t kCapPeriodNs = 100'000'000;  // 100 ms
    // How long a woken vCPU is left to the idle CPU it ran on last (its TLB entries and caches
    // are there) before any idle CPU may take it.
    static constexpr std::uint64_t kCacheHotNs = 2'000'000;  // 2 ms
    static constexpr std::uint64_t kNever = ~0ull;

    // The CPUs it schedules on (bit per CPU index); forgets every vCPU.
    void reset(std::uint32_t cpus);
    std::uint32_t cpus() const { return cpus_; }

    // A slot for vCPU `vcpu` of `domain`, in state starting (the caller sets its context,
    // then calls make_runnable). already_exists when it has one that is on (one that went
    // offline does not count, even before it has left its CPU); busy when no slot is free,
    // the domain is stopping or the scheduler has no CPU.
    Result<SchedVcpu*> add(SchedDomain& domain, std::uint32_t vcpu);
    // The vCPU may run now. Returns the idle CPUs that could run it (to kick).
    std::uint32_t make_runnable(SchedVcpu& v, std::uint64_t now);
    // vCPU `vcpu` of `domain`, if it has a slot and is on (any state but free and offline).
    SchedVcpu* find(const SchedDomain& domain, std::uint32_t vcpu);
    // Whether vCPU `vcpu` of `domain` is on (added and not offline).
    bool is_online(const SchedDomain& domain, std::uint32_t vcpu) const;
    SchedVcpu* current(std::size_t cpu);

    // The running vCPU `v` waits for an interrupt, or until `deadline_ns` (0: no deadline
    // but its virtual timer's, given to switch_from).
    void block(SchedVcpu& v, std::uint64_t deadline_ns);
    // The running vCPU `v` lets others run first (if there are any).
    void yield(SchedVcpu& v);
    // The running vCPU `v` turned itself off; it leaves its CPU at the next switch.
    void go_offline(SchedVcpu& v);
    // An interrupt is pending for vCPU `vcpu` of `domain`: if it was blocked it runs again.
    // Returns the CPUs to kick: the one it is on (to look at its interrupts), else the idle
    // CPUs that could run it.
    std::uint32_t wake(const SchedDomain& domain, std::uint32_t vcpu, std::uint64_t now);

    // Whether the current vCPU of `cpu` should leave it now: it blocked, went offline, its
    // domain paused, stops or used its cap, or its slice ended while another waits.
    bool need_resched(std::size_t cpu, std::uint64_t now);
    // Whether switch_from needs the current vCPU's registers saved first (false: it will
    // never run again, its registers can be dropped).
    bool keeps_context(std::size_t cpu);
    // The current vCPU of `cpu` (saved by the caller if keeps_context) leaves the CPU, its
    // time accounted; `timer_deadline_ns` is when its virtual timer fires (0: never), which
    // wakes it if it blocked. Returns the vCPU to run next on `cpu` (it may be the same one;
    // nullptr: the CPU idles).
    SchedVcpu* switch_from(std::size_t cpu, std::uint64_t now, std::uint64_t timer_deadline_ns);
    // For an idle `cpu`: the vCPU to run, if any.
    SchedVcpu* pick(std::size_t cpu, std::uint64_t now);
    // When `cpu` should look again (slice end, a blocked vCPU's deadline, a capped domain's
    // next period); kNever when nothing is due.
    std::uint64_t next_timer(std::size_t cpu, std::uint64_t now);
    // Wakes the blocked vCPUs whose deadline passed; returns the idle CPUs to kick.
    std::uint32_t expire(std::uint64_t now);

    // The domain's vCPUs stop for good: those not on a CPU are forgotten now; returns the
    // CPUs they are on (to kick; each forgets its vCPU at its next switch).
    std::uint32_t stop(SchedDomain& domain);
    // Pause: its vCPUs stay off the CPUs until unpause; returns the CPUs they are on (to
    // kick). Unpause returns the idle CPUs to kick.
    std::uint32_t pause(SchedDomain& domain);
    std::uint32_t unpause(SchedDomain& domain, std::uint64_t now);
    // Whether any vCPU of `domain` is on a CPU / has a slot.
    bool on_cpu(const SchedDomain& domain) const;
    bool holds(const SchedDomain& domain) const;
    // Weight 1..65535; cap 0 (none) or 1..100 x kMaxCpus (percent of one CPU, as Xen's).
    Status set_params(SchedDomain& domain, std::uint32_t weight, std::uint32_t cap);
    // vCPU `vcpu` of `domain` runs only on the CPUs of `mask` (within cpus()), now if it is
    // on and whenever it starts; invalid_argument when no CPU of `mask` is the scheduler's.
    Status set_affinity(SchedDomain& domain, std::uint32_t vcpu, std::uint32_t mask);

  private:
    struct Cpu {
        SchedVcpu* current = nullptr;
        std::uint64_t run_start = 0;
    };

    bool throttled(SchedDomain& d, std::uint64_t now, std::uint64_t running_extra) const;
    bool eligible(const SchedVcpu& v, std::size_t cpu, std::uint64_t now);
    bool other_eligible(std::size_t cpu, const SchedVcpu* besides, std::uint64_t now);
    SchedVcpu* pick_locked(std::size_t cpu, std::uint64_t now);
    // A vCPU becomes runnable: its virtual time catches up to within a slice of the others'.
    void wake_locked(SchedVcpu& v);
    // The idle CPUs to kick for a vCPU that became runnable: the one it ran on last if that is
    // idle (and may run it), else every idle CPU it may run on.
    std::uint32_t idle_cpus_for(const SchedVcpu& v) const;
    // Whether `v` is left to its own idle CPU rather than run on `cpu` now (kCacheHotNs).
    bool left_to_its_cpu(const SchedVcpu& v, std::size_t cpu, std::uint64_t now) const;
    bool idle_and_allowed(const SchedVcpu& v, std::size_t cpu) const;
    void account(Cpu& c, SchedVcpu& v, std::uint64_t now);
    void free_slot(SchedVcpu& v);

    std::uint32_t cpus_ = 0;
    std::array<Cpu, kMaxCpus> cpu_{};
    std::array<SchedVcpu, kMaxVcpus> vcpus_{};
    mutable lib::SpinLock lock_;
};

}  // namespace tern::hv
