// Defines ConsoleInterface, the PV console page a guest shares with dom0 (the layout of Xen's
// public io/console.h, struct xencons_interface), and the two copies dom0's console daemon
// makes on it: the guest's output out of the `out` ring, and what a person typed into the
// `in` ring. The indices are free-running 32-bit counters; a ring's slot is index & (size - 1).
// The guest owns out_prod and in_cons, dom0 owns out_cons and in_prod; a guest can write
// anything into its own, so every copy first checks that prod - cons fits the ring.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tern::dom0::consoled {

struct ConsoleInterface {
    char in[1024];
    char out[2048];
    std::uint32_t in_cons;
    std::uint32_t in_prod;
    std::uint32_t out_cons;
    std::uint32_t out_prod;
};

inline constexpr std::size_t kInRingSize = sizeof(ConsoleInterface::in);
inline constexpr std::size_t kOutRingSize = sizeof(ConsoleInterface::out);

struct RingCopy {
    // Bytes copied.
    std::size_t bytes = 0;
    // The guest's indices were impossible (prod - cons larger than the ring): what the ring
    // held was dropped and the indices reset so that the ring is empty.
    bool bad_indices = false;
    // The index values seen when they were bad, for the log.
    std::uint32_t cons = 0;
    std::uint32_t prod = 0;
};

// Appends everything the guest has written to `out` (at most the ring's size) and advances
// out_cons past it.
RingCopy drain_output(ConsoleInterface& ring, std::string& out);

// Copies as much of `input` as the `in` ring has room for and advances in_prod; returns how
// many bytes went in.
RingCopy fill_input(ConsoleInterface& ring, std::string_view input);

}  // namespace tern::dom0::consoled
