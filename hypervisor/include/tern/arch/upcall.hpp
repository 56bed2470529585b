// Declares the arch hook that makes a vCPU of dom0 take its event-channel interrupt.
#pragma once

#include <cstdint>

namespace tern::arch {

// dom0 drives the machine's GICv3 itself (its interrupts are not virtualised yet): the event
// interrupt (INTID `intid`, a PPI) is made pending in the redistributor of the physical CPU
// whose MPIDR is `mpidr`, through GICR_ISPENDR0. `redistributors` is the GICR region.
void set_upcall_route(std::uint64_t redistributors, std::uint64_t size, std::uint32_t intid);
void raise_upcall_on(std::uint64_t mpidr);

}  // namespace tern::arch
