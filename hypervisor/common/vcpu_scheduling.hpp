// Declares how the CPUs the scheduler owns run domains' vCPUs: the idle loop that picks one
// to run, and the switch on the way out of every trap of a running one (it blocked, its slice
// ended, its domain paused or stopped). The policy is the Scheduler's; the registers move
// with the arch hooks of tern/arch/vcpu_context.hpp.
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
// The vCPU that runs on this CPU (nullptr on dom0's CPUs and idle ones).
SchedVcpu* current_vcpu();

// Adds vCPU `vcpu` of `domain` to the scheduler, to start at `entry` with x0 = `x0`;
// already_exists when it is on, busy when the scheduler has no room.
Status start_vcpu(Domain& domain, std::uint32_t vcpu, std::uint64_t entry, std::uint64_t x0);

// After a trap of the vCPU on this CPU was handled: if the scheduler says so, the vCPU is
// saved and `frame` gets the next one's registers, or the CPU goes idle (no return).
void reschedule_after_exit(arch::GuestFrame& frame);
// The idle loop of a CPU the scheduler owns: runs what it picks, waits otherwise.
[[noreturn]] void run_scheduled_vcpus();

}  // namespace tern::hv
