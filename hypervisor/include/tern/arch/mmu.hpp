// Declares the arch hooks for the hypervisor's own address space: an identity map of the
// machine in which RAM is normal cacheable memory and everything else is device memory.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::arch {

struct RamRange {
    std::uint64_t base;
    std::uint64_t size;
};

// Builds the identity map (once, on the boot CPU, before any CPU enables it).
void build_identity_map(const RamRange* ram, std::size_t count);
// Turns this CPU's stage-1 translation on with that map.
void enable_mmu();
// True when this CPU translates with the MMU on.
bool mmu_enabled();

// Zeroes `bytes` at `start` (both multiples of 64) through the identity map, a block at a
// time with DC ZVA where the CPU allows it, else 64 bytes of stores a round.
void zero_memory(void* start, std::size_t bytes);

// Starts another CPU (PSCI CPU_ON) at the secondary entry with `index` as its context.
// Returns the PSCI status: 0 on success.
std::int64_t start_cpu(std::uint64_t mpidr, std::uint64_t index);

}  // namespace tern::arch
