// Defines PhysicalTimer: the EL1 physical timer a vCPU sees (Arm ARM D11.2.4: CNTP_CTL_EL0,
// CNTP_CVAL_EL0, CNTP_TVAL_EL0), emulated. CNTHCTL_EL2.EL1PCEN is 0 while a domain's vCPU
// runs, so its accesses to these registers trap and land here; the timer fires as the
// virtual PPI 30 (the non-secure physical timer of the domain's device tree), as Xen's vtimer
// does. Times are counter ticks (CNTPCT_EL0, which is what the guest compares against); the
// caller converts the deadline for the hypervisor's timer and raises the interrupt.
#pragma once

#include <cstdint>

namespace tern::hv {

class PhysicalTimer {
  public:
    static constexpr std::uint32_t kIntid = 30;
    // CNTP_CTL_EL0 fields.
    static constexpr std::uint64_t kEnable = 1;
    static constexpr std::uint64_t kImask = 2;
    static constexpr std::uint64_t kIstatus = 4;  // read-only: the condition is met

    enum class Register { ctl, cval, tval };

    // What the guest reads from `reg` when the counter is `now`.
    std::uint64_t read(Register reg, std::uint64_t now) const;
    // The guest writes `value` to `reg` when the counter is `now`.
    void write(Register reg, std::uint64_t value, std::uint64_t now);

    // The counter value at which it fires next (enabled, unmasked, not fired since it was
    // last set); 0 when it does not.
    std::uint64_t deadline() const;
    // Whether it fires now: true once per expiry, after which the caller raises kIntid. A
    // write to any of its registers arms it again.
    bool fire(std::uint64_t now);
    // Whether the guest has written any of its registers yet.
    bool written() const { return written_; }

  private:
    std::uint64_t ctl_ = 0;  // kEnable and kImask as the guest wrote them
    std::uint64_t cval_ = 0;
    bool fired_ = false;
    bool written_ = false;
};

}  // namespace tern::hv
