// The generic timer at EL2 (Arm ARM D11): CNTPCT_EL0 counts at CNTFRQ_EL0 Hz; CNTHP_CTL_EL2
// (ENABLE bit 0, IMASK bit 1) and CNTHP_CVAL_EL2 are the EL2 physical timer.
#include "tern/arch/timer.hpp"

namespace tern::arch {
namespace {

std::uint64_t frequency() {
    std::uint64_t f = 0;
    asm volatile("mrs %0, cntfrq_el0" : "=r"(f));
    return f != 0 ? f : 1;
}

std::uint64_t counter() {
    std::uint64_t c = 0;
    asm volatile("isb\n mrs %0, cntpct_el0" : "=r"(c));
    return c;
}

}  // namespace

std::uint64_t system_time_ns() {
    return ticks_to_ns(counter());
}

std::uint64_t counter_ticks() {
    return counter();
}

std::uint64_t ticks_to_ns(std::uint64_t ticks) {
    const std::uint64_t f = frequency();
    // Split to keep the product in 64 bits for centuries of uptime.
    return (ticks / f) * 1000000000ull + (ticks % f) * 1000000000ull / f;
}

void hypervisor_timer_set(std::uint64_t deadline_ns) {
    const std::uint64_t f = frequency();
    const std::uint64_t ticks =
        (deadline_ns / 1000000000ull) * f + (deadline_ns % 1000000000ull) * f / 1000000000ull;
    asm volatile(
        "msr cnthp_cval_el2, %0\n"
        "msr cnthp_ctl_el2, %1\n"
        "isb\n"
        :
        : "r"(ticks), "r"(std::uint64_t{1}));
}

void hypervisor_timer_cancel() {
    asm volatile("msr cnthp_ctl_el2, xzr\n isb");
}

}  // namespace tern::arch
