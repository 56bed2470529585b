// Declares the arch hooks for the CPU the generic core may call: identification, stopping.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::arch {

// The most physical CPUs the hypervisor runs on: the size of every per-CPU table.
inline constexpr std::size_t kMaxCpus = 8;

// The exception level the CPU runs at (2 for the hypervisor).
unsigned current_el();
// This CPU's affinity (MPIDR_EL1 Aff3..Aff0), as the device tree's cpu nodes name CPUs.
std::uint64_t current_cpu_id();
// Stops this CPU for good (interrupts masked, waiting forever).
[[noreturn]] void halt_cpu();
// Asks the platform firmware to power the machine off (PSCI SYSTEM_OFF); halts if it cannot.
[[noreturn]] void system_off();
// An SMCCC call to the platform firmware (SMC), for what the hypervisor forwards; returns x0.
std::uint64_t firmware_call(std::uint32_t function, std::uint64_t a1, std::uint64_t a2,
                            std::uint64_t a3);
// Asks the platform firmware to restart the machine (PSCI SYSTEM_RESET); halts if it cannot.
[[noreturn]] void system_reset();
// Wakes every CPU waiting for an event (SEV).
void wake_cpus();
// Waits for an interrupt (WFI, with interrupts masked: it wakes on one pending, not taken).
void wait_for_interrupt();
// Waits for an event or an interrupt (WFE); may return at once.
void wait_for_event();
// This physical CPU's index (0 for the boot CPU), as the hypervisor numbered them at start.
std::size_t current_cpu_index();
// Abandons whatever this CPU was doing (a vCPU that turned itself off) and goes back to its
// idle loop, tern_cpu_idle, on a fresh stack.
[[noreturn]] void park_cpu();

}  // namespace tern::arch
