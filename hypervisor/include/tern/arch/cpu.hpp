// Declares the arch hooks for the CPU the generic core may call: identification, stopping.
#pragma once

#include <cstdint>

namespace tern::arch {

// The exception level the CPU runs at (2 for the hypervisor).
unsigned current_el();
// This CPU's affinity (MPIDR_EL1 Aff3..Aff0), as the device tree's cpu nodes name CPUs.
std::uint64_t current_cpu_id();
// Stops this CPU for good (interrupts masked, waiting forever).
[[noreturn]] void halt_cpu();
// Asks the platform firmware to power the machine off (PSCI SYSTEM_OFF); halts if it cannot.
[[noreturn]] void system_off();

}  // namespace tern::arch
