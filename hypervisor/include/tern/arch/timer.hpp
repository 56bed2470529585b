// Declares the arch hooks for time: the system counter as nanoseconds (Xen's "system time":
// the counter since it started, which guests read with CNTVOFF_EL2 = 0) and the hypervisor's
// own EL2 physical timer (CNTHP, PPI 26), one per CPU.
#pragma once

#include <cstdint>

namespace tern::arch {

inline constexpr std::uint32_t kHypervisorTimerPpi = 26;

std::uint64_t system_time_ns();
// The system counter (CNTPCT_EL0, what guests' timers compare against), and a count of it
// as system time.
std::uint64_t counter_ticks();
std::uint64_t ticks_to_ns(std::uint64_t ticks);
// Fires the EL2 timer of this CPU at `deadline_ns` (system time); an earlier deadline fires
// at once. The interrupt only wakes the CPU (WFI): it is taken and silenced by the IRQ path.
void hypervisor_timer_set(std::uint64_t deadline_ns);
void hypervisor_timer_cancel();

}  // namespace tern::arch
