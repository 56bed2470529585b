// CPU hooks on arm64.
#include "tern/arch/cpu.hpp"

#include "arch/arm64/exit_counts.hpp"

extern "C" [[noreturn]] void tern_park_cpu();

namespace tern::arch {

void park_cpu() {
    tern_park_cpu();
}

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

std::size_t current_cpu_index() {
    std::uint64_t index = 0;
    asm volatile("mrs %0, tpidr_el2" : "=r"(index));  // head.S keeps the index there
    return static_cast<std::size_t>(index);
}

void wake_cpus() {
    asm volatile("dsb ish\n sev" ::: "memory");
}

void wait_for_interrupt() {
    count(ExitCount::idle_wait);
    asm volatile("dsb sy\n wfi" ::: "memory");
}

void wait_for_event() {
    asm volatile("wfe" ::: "memory");
}

void halt_cpu() {
    asm volatile("msr daifset, #0xf");
    for (;;)
        asm volatile("wfe");
}

}  // namespace tern::arch
