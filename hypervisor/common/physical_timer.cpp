#include "common/physical_timer.hpp"

namespace tern::hv {

std::uint64_t PhysicalTimer::read(Register reg, std::uint64_t now) const {
    switch (reg) {
        case Register::ctl:
            return ctl_ | ((ctl_ & kEnable) != 0 && now >= cval_ ? kIstatus : 0);
        case Register::cval:
            return cval_;
        case Register::tval:
            // TimerValue: (CVAL - count)[31:0], a signed 32-bit count of ticks to go.
            return (cval_ - now) & 0xffffffffull;
    }
    return 0;
}

void PhysicalTimer::write(Register reg, std::uint64_t value, std::uint64_t now) {
    switch (reg) {
        case Register::ctl:
            ctl_ = value & (kEnable | kImask);
            break;
        case Register::cval:
            cval_ = value;
            break;
        case Register::tval:
            // CVAL = count + SignExtend(TimerValue[31:0]).
            cval_ = now + static_cast<std::uint64_t>(
                              static_cast<std::int64_t>(static_cast<std::int32_t>(value)));
            break;
    }
    fired_ = false;
    written_ = true;
}

std::uint64_t PhysicalTimer::deadline() const {
    if ((ctl_ & (kEnable | kImask)) != kEnable || fired_)
        return 0;
    return cval_ != 0 ? cval_ : 1;
}

bool PhysicalTimer::fire(std::uint64_t now) {
    const std::uint64_t at = deadline();
    if (at == 0 || now < at)
        return false;
    fired_ = true;
    return true;
}

}  // namespace tern::hv
