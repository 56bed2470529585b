// Declares how the hypervisor answers a vCPU of a domain other than dom0 that runs on a CPU
// of its own (CpuPool): its hypercalls (domain_hypercalls for its own state; console_io
// writes; sched_op yield, block, poll and shutdown), its PSCI calls (version, system off and
// reset), its interrupts (which only ever ask it to stop), and traps it should not cause (the
// domain crashes). A vCPU that stops gives its CPU back to the pool and the CPU goes back to its
// idle loop.
#pragma once

#include <cstdint>

namespace tern::hv {

class Console;
class ControlPlane;
class CpuPool;
class GuestDevices;

void set_domain_vcpu_environment(Console* console, ControlPlane* control, CpuPool* pool);

// x: the vCPU's x0-x30 (x0 gets the result). Returns only when the vCPU goes on.
void domain_vcpu_hypercall(std::uint64_t* x);
void domain_vcpu_smccc(std::uint64_t* x);
// The devices the hypervisor emulates for the domain whose vCPU runs on this CPU (its vGIC).
GuestDevices* domain_vcpu_devices();
// A trap with no handling: the domain crashes. Does not return.
[[noreturn]] void domain_vcpu_crash(std::uint64_t esr, std::uint64_t pc, std::uint64_t far);
// The CPU took an interrupt while the vCPU ran: it stops if it was asked to.
void domain_vcpu_interrupted();

}  // namespace tern::hv
