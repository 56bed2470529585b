// The event upcall through the physical GICv3 (Arm IHI 0069): each redistributor is an RD
// frame and an SGI frame of 64 KiB each; GICR_TYPER (RD + 0x8) bits [63:32] hold the
// affinity of its CPU and bit 4 marks the last one; GICR_ISPENDR0 (SGI + 0x200) sets SGIs and
// PPIs pending.
#include "tern/arch/upcall.hpp"

namespace tern::arch {
namespace {

constexpr std::uint64_t kFrameStride = 0x20000;
constexpr std::uint64_t kTyper = 0x8;
constexpr std::uint64_t kTyperLast = 1ull << 4;
constexpr std::uint64_t kSgiFrame = 0x10000;
constexpr std::uint64_t kIspendr0 = 0x200;

std::uint64_t g_base = 0;
std::uint64_t g_size = 0;
std::uint32_t g_intid = 31;

// MPIDR (Aff3 at [39:32], Aff2..0 at [23:0]) as GICR_TYPER's affinity value.
std::uint32_t affinity_of(std::uint64_t mpidr) {
    return static_cast<std::uint32_t>(((mpidr >> 8) & 0xff000000u) | (mpidr & 0xffffffu));
}

}  // namespace

void set_upcall_route(std::uint64_t redistributors, std::uint64_t size, std::uint32_t intid) {
    g_base = redistributors;
    g_size = size;
    g_intid = intid;
}

void raise_upcall_on(std::uint64_t mpidr) {
    const std::uint32_t affinity = affinity_of(mpidr);
    for (std::uint64_t frame = g_base; g_base != 0 && frame + kFrameStride <= g_base + g_size;
         frame += kFrameStride) {
        const std::uint64_t typer = *reinterpret_cast<volatile std::uint64_t*>(frame + kTyper);
        if (static_cast<std::uint32_t>(typer >> 32) == affinity) {
            *reinterpret_cast<volatile std::uint32_t*>(frame + kSgiFrame + kIspendr0) = 1u
                                                                                        << g_intid;
            return;
        }
        if ((typer & kTyperLast) != 0)
            return;
    }
}

}  // namespace tern::arch
