// Defines the guest-physical layout of the domains dom0 creates (Xen's Arm GUEST_* layout,
// public/tern_control.h): which guest frames may hold RAM or the toolstack's magic pages.
#pragma once

#include <cstdint>

#include "public/tern_control.h"
#include "tern/addr.hpp"

namespace tern::hv {

struct GfnRange {
    std::uint64_t first = 0;
    std::uint64_t count = 0;
    constexpr std::uint64_t end() const { return first + count; }
    constexpr bool contains(GfnRange r) const { return r.first >= first && r.end() <= end(); }
};

inline constexpr GfnRange kGuestRam0{TERN_GUEST_RAM0_BASE >> kPageShift,
                                     TERN_GUEST_RAM0_SIZE >> kPageShift};
inline constexpr GfnRange kGuestRam1{TERN_GUEST_RAM1_BASE >> kPageShift,
                                     TERN_GUEST_RAM1_SIZE >> kPageShift};
inline constexpr GfnRange kGuestMagic{TERN_GUEST_MAGIC_BASE >> kPageShift,
                                      TERN_GUEST_MAGIC_SIZE >> kPageShift};

// Whether a domain may have memory at every frame of `range`: inside one RAM bank or the
// magic area, and not wrapping around.
constexpr bool is_populatable(GfnRange range) {
    if (range.count == 0 || range.end() < range.first)
        return false;
    return kGuestRam0.contains(range) || kGuestRam1.contains(range) || kGuestMagic.contains(range);
}

}  // namespace tern::hv
