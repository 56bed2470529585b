// CPU hooks on arm64.
#include "tern/arch/cpu.hpp"

namespace tern::arch {

unsigned current_el() {
    std::uint64_t el = 0;
    asm volatile("mrs %0, CurrentEL" : "=r"(el));
    return static_cast<unsigned>((el >> 2) & 3);  // Arm ARM D19.2.22: CurrentEL.EL, bits [3:2]
}

std::uint64_t current_cpu_id() {
    std::uint64_t mpidr = 0;
    asm volatile("mrs %0, mpidr_el1" : "=r"(mpidr));
    return mpidr & 0xff00ffffffull;  // Aff3 [39:32], Aff2..Aff0 [23:0] (D19.2.101)
}

void halt_cpu() {
    asm volatile("msr daifset, #0xf");
    for (;;)
        asm volatile("wfe");
}

}  // namespace tern::arch
