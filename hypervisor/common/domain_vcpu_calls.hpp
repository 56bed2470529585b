// Declares how the hypervisor answers a vCPU of a domain other than dom0 (one the scheduler
// runs): its hypercalls (domain_hypercalls for its own state; console_io writes; sched_op
// yield, block, poll and shutdown), its PSCI calls (version, features, migrate info type,
// CPU_ON/OFF, affinity info, system off and reset), WFI/WFE, and traps it should not cause
// (the domain crashes). Each returns to the trap path, which then asks the scheduler whether
// the vCPU keeps its CPU.
#pragma once

#include <cstdint>

namespace tern::hv {

class Console;
class ControlPlane;
class FrameUsers;
class GuestDevices;

// `frame_users`: who else maps domains' pages (dom0), asked before a page goes back.
void set_domain_vcpu_environment(Console* console, ControlPlane* control,
                                 const FrameUsers* frame_users);

// x: the vCPU's x0-x30 (x0 gets the result).
void domain_vcpu_hypercall(std::uint64_t* x);
void domain_vcpu_smccc(std::uint64_t* x);
// The vCPU executed WFI (it waits for an interrupt) or WFE (it spins).
void domain_vcpu_wait(bool wfe);
// The devices the hypervisor emulates for the domain whose vCPU runs on this CPU (its vGIC).
GuestDevices* domain_vcpu_devices();
// A trap with no handling: the domain crashes.
void domain_vcpu_crash(std::uint64_t esr, std::uint64_t pc, std::uint64_t far);

}  // namespace tern::hv
