// Declares how every physical CPU runs the vCPUs of every domain, dom0's included: the idle
// loop that picks one to run, and the switch on the way out of every trap of a running one
// (it blocked, its slice ended, its domain paused or stopped). The policy is the Scheduler's; the
// registers move with the arch hooks of tern/arch/vcpu_context.hpp.
#pragma once

#include <cstdint>

#include "common/scheduler.hpp"

namespace tern::arch {
struct GuestFrame;
}

namespace tern::hv {

class Console;

// `kick` sends the "look again" interrupt to the CPUs of a mask (never this one needs it).
void set_vcpu_scheduling(Scheduler* scheduler, Console* console, void (*kick)(std::uint32_t cpus));
Scheduler& scheduler();
void kick_cpus(std::uint32_t cpus);
// The vCPU that runs on this CPU (nullptr on an idle one).
SchedVcpu* current_vcpu();
// Whether the vCPU that runs on this CPU is one of dom0's.
bool current_vcpu_is_dom0();

// Adds vCPU `vcpu` of `domain` to the scheduler, to start at `entry` with x0 = `x0`;
// already_exists when it is on, busy when the scheduler has no room. The vCPU of a domain
// with one vCPU makes its TLB invalidations on its own CPU only (arch::TlbMaintenance).
Status start_vcpu(Domain& domain, std::uint32_t vcpu, std::uint64_t entry, std::uint64_t x0);
// The same for a domain given by its scheduling state (dom0), with virtual MPIDR `vmpidr`;
// its TLB invalidations act as issued.
Status start_vcpu(SchedDomain& domain, std::uint32_t vcpu, std::uint64_t vmpidr,
                  std::uint64_t entry, std::uint64_t x0,
                  arch::TlbMaintenance tlb = arch::TlbMaintenance::as_issued);
// The vCPU on this CPU waits for an interrupt (WFI, SCHEDOP_block) or until `deadline_ns`
// (0: none but its virtual timer): it leaves the CPU on the way out of the trap, unless an
// interrupt is already there for it (checked after it is marked blocked, so that one raised
// meanwhile wakes it).
void block_current_vcpu(std::uint64_t deadline_ns);

// After a trap of the vCPU on this CPU was handled: if the scheduler says so, the vCPU is
// saved and `frame` gets the next one's registers, or the CPU goes idle (no return).
void reschedule_after_exit(arch::GuestFrame& frame);
// The idle loop of a CPU the scheduler owns: runs what it picks, waits otherwise.
[[noreturn]] void run_scheduled_vcpus();
// What an idle CPU does in small pieces before it waits (scrubbing free pages); `work`
// returns false when nothing is left.
void set_idle_work(bool (*work)());

}  // namespace tern::hv
