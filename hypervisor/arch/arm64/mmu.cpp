// The EL2 stage-1 identity map (Arm ARM D8): 4 KiB granule, 39-bit addresses, so the walk
// starts at level 1 where every entry maps 1 GiB. RAM is Normal write-back, the rest is
// Device-nGnRE and never executable.
#include "tern/arch/mmu.hpp"

namespace tern::arch {
namespace {

constexpr std::size_t kEntries = 512;
alignas(4096) std::uint64_t g_level1[kEntries];

// MAIR_EL2 (D19.2.99): attribute 0 Device-nGnRnE, 1 Device-nGnRE, 2 Normal WB RW-allocate.
constexpr std::uint64_t kMair = (0x00ull << 0) | (0x04ull << 8) | (0xffull << 16);
constexpr std::uint64_t kAttrDevice = 1;
constexpr std::uint64_t kAttrNormal = 2;

// TCR_EL2 (D19.2.144), with HCR_EL2.E2H = 0.
constexpr std::uint64_t kTcr = (25ull << 0)                    // T0SZ: 39-bit addresses
                               | (1ull << 8)                   // IRGN0: write-back, write-allocate
                               | (1ull << 10)                  // ORGN0: the same
                               | (3ull << 12)                  // SH0: inner shareable
                               | (0ull << 14)                  // TG0: 4 KiB
                               | (2ull << 16)                  // PS: 40-bit physical addresses
                               | (1ull << 23) | (1ull << 31);  // RES1

// A level-1 block descriptor (D8.3): valid block, attribute index, AF, shareability, XN.
constexpr std::uint64_t block(std::uint64_t address, std::uint64_t attr, bool normal) {
    std::uint64_t d = address | 0x1 | (attr << 2) | (1ull << 10);
    if (normal) {
        d |= 3ull << 8;  // inner shareable
    } else {
        d |= 1ull << 54;  // XN: device memory is never executed
    }
    return d;
}

}  // namespace

void zero_memory(void* start, std::size_t bytes) {
    // DCZID_EL0 (D19.2.34): DZP (bit 4) forbids DC ZVA; BS (bits 3:0) is log2 of the block
    // in words.
    std::uint64_t dczid = 0;
    asm volatile("mrs %0, dczid_el0" : "=r"(dczid));
    const std::size_t block = std::size_t{4} << (dczid & 0xf);
    auto address = reinterpret_cast<std::uintptr_t>(start);
    const std::uintptr_t end = address + bytes;
    if ((dczid & 0x10) == 0 && address % block == 0 && bytes % block == 0) {
        for (; address < end; address += block)
            asm volatile("dc zva, %0" ::"r"(address) : "memory");
        return;
    }
    for (; address < end; address += 64)
        asm volatile(
            "stp xzr, xzr, [%0]\n"
            "stp xzr, xzr, [%0, #16]\n"
            "stp xzr, xzr, [%0, #32]\n"
            "stp xzr, xzr, [%0, #48]\n" ::"r"(address)
            : "memory");
}

void build_identity_map(const RamRange* ram, std::size_t count) {
    constexpr std::uint64_t kGiB = 1ull << 30;
    for (std::size_t i = 0; i < kEntries; ++i) {
        const std::uint64_t start = i * kGiB;
        bool normal = false;
        for (std::size_t r = 0; r < count; ++r) {
            if (ram[r].base < start + kGiB && start < ram[r].base + ram[r].size)
                normal = true;
        }
        g_level1[i] = block(start, normal ? kAttrNormal : kAttrDevice, normal);
    }
    asm volatile("dsb ish" ::: "memory");
}

void enable_mmu() {
    asm volatile(
        "msr mair_el2, %0\n"
        "msr tcr_el2, %1\n"
        "msr ttbr0_el2, %2\n"
        "isb\n"
        "tlbi alle2\n"
        "dsb ish\n"
        "isb\n"
        :
        : "r"(kMair), "r"(kTcr), "r"(reinterpret_cast<std::uintptr_t>(g_level1))
        : "memory");
    std::uint64_t sctlr = 0;
    asm volatile("mrs %0, sctlr_el2" : "=r"(sctlr));
    sctlr |= (1ull << 0) | (1ull << 2) | (1ull << 12);  // M, C, I (D19.2.118)
    asm volatile("msr sctlr_el2, %0\n isb" : : "r"(sctlr) : "memory");
}

bool mmu_enabled() {
    std::uint64_t sctlr = 0;
    asm volatile("mrs %0, sctlr_el2" : "=r"(sctlr));
    return (sctlr & 1) != 0;
}

}  // namespace tern::arch
