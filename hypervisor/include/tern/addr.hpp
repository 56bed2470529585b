// Defines the strong address types of the hypervisor: machine-physical addresses and frame
// numbers are distinct types, so that one is never passed where the other belongs.
#pragma once

#include <compare>
#include <cstdint>

namespace tern {

inline constexpr std::uint64_t kPageShift = 12;
inline constexpr std::uint64_t kPageSize = std::uint64_t{1} << kPageShift;

// A machine-physical address.
struct Paddr {
    std::uint64_t value = 0;
    friend constexpr auto operator<=>(Paddr, Paddr) = default;
};

// A machine frame number: a machine-physical address divided by the page size.
struct Mfn {
    std::uint64_t value = 0;
    friend constexpr auto operator<=>(Mfn, Mfn) = default;
};

constexpr Mfn to_mfn(Paddr p) {
    return Mfn{p.value >> kPageShift};
}
constexpr Paddr to_paddr(Mfn m) {
    return Paddr{m.value << kPageShift};
}
constexpr std::uint64_t pages_for(std::uint64_t bytes) {
    return (bytes + kPageSize - 1) >> kPageShift;
}

}  // namespace tern
