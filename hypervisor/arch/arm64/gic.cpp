// The physical GICv3 at EL2: distributor and redistributor registers (IHI 0069 12.9-12.11),
// the CPU interface's system registers (12.2) with a single security state (GICD_CTLR.DS = 1,
// as QEMU's virt machine and most EL2-only firmware set it up).
#include "tern/arch/gic.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/arch/timer.hpp"

namespace tern::arch {
namespace {

constexpr std::uint64_t kGicdCtlr = 0x0000;
constexpr std::uint64_t kGicdTyper = 0x0004;
constexpr std::uint64_t kGicdIgroupr = 0x0080;
constexpr std::uint64_t kGicdIsenabler = 0x0100;
constexpr std::uint64_t kGicdIcenabler = 0x0180;
constexpr std::uint64_t kGicdIcpendr = 0x0280;
constexpr std::uint64_t kGicdIcactiver = 0x0380;
constexpr std::uint64_t kGicdIpriorityr = 0x0400;
constexpr std::uint64_t kGicdIcfgr = 0x0c00;
constexpr std::uint64_t kGicdIrouter = 0x6000;
constexpr std::uint32_t kCtlrRwp = 1u << 31;
constexpr std::uint32_t kCtlrAre = 1u << 4;
constexpr std::uint32_t kCtlrEnableGrp1 = 1u << 1;

constexpr std::uint64_t kRedistStride = 0x20000;
constexpr std::uint64_t kGicrTyper = 0x0008;
constexpr std::uint64_t kGicrWaker = 0x0014;
constexpr std::uint64_t kSgi = 0x10000;

constexpr std::uint8_t kHypervisorPriority = 0xa0;

std::uint64_t g_dist = 0;
std::uint64_t g_redist = 0;
std::uint64_t g_redist_size = 0;

volatile std::uint32_t& reg32(std::uint64_t address) {
    return *reinterpret_cast<volatile std::uint32_t*>(address);
}
volatile std::uint64_t& reg64(std::uint64_t address) {
    return *reinterpret_cast<volatile std::uint64_t*>(address);
}

void wait_distributor() {
    while ((reg32(g_dist + kGicdCtlr) & kCtlrRwp) != 0) {
    }
}

// The RD frame of the CPU with this MPIDR, or 0.
std::uint64_t redistributor_of(std::uint64_t mpidr) {
    const auto affinity =
        static_cast<std::uint32_t>(((mpidr >> 8) & 0xff000000u) | (mpidr & 0xffffffu));
    for (std::uint64_t frame = g_redist; g_redist != 0 && frame < g_redist + g_redist_size;
         frame += kRedistStride) {
        const std::uint64_t typer = reg64(frame + kGicrTyper);
        if (static_cast<std::uint32_t>(typer >> 32) == affinity)
            return frame;
        if ((typer & (1u << 4)) != 0)
            break;  // Last
    }
    return 0;
}

}  // namespace

void gic_init_distributor(std::uint64_t distributor, std::uint64_t redistributors,
                          std::uint64_t redistributors_size) {
    g_dist = distributor;
    g_redist = redistributors;
    g_redist_size = redistributors_size;
    reg32(g_dist + kGicdCtlr) = 0;
    wait_distributor();
    const std::uint32_t irqs = gic_nr_irqs();
    for (std::uint32_t intid = 32; intid < irqs; intid += 32) {
        reg32(g_dist + kGicdIgroupr + intid / 8) = ~0u;
        reg32(g_dist + kGicdIcenabler + intid / 8) = ~0u;
        reg32(g_dist + kGicdIcpendr + intid / 8) = ~0u;
        reg32(g_dist + kGicdIcactiver + intid / 8) = ~0u;
    }
    for (std::uint32_t intid = 32; intid < irqs; intid += 4)
        reg32(g_dist + kGicdIpriorityr + intid) = 0x01010101u * kHypervisorPriority;
    const std::uint64_t boot_cpu = current_cpu_id();
    for (std::uint32_t intid = 32; intid < irqs; ++intid)
        reg64(g_dist + kGicdIrouter + 8ull * intid) = boot_cpu;
    wait_distributor();
    reg32(g_dist + kGicdCtlr) = kCtlrAre;
    wait_distributor();
    reg32(g_dist + kGicdCtlr) = kCtlrAre | kCtlrEnableGrp1;
    wait_distributor();
}

std::uint32_t gic_nr_irqs() {
    const std::uint32_t lines = (reg32(g_dist + kGicdTyper) & 0x1f) + 1;
    return lines * 32 > 1020 ? 1020 : lines * 32;
}

void gic_init_cpu() {
    hypervisor_timer_cancel();
    const std::uint64_t rd = redistributor_of(current_cpu_id());
    if (rd != 0) {
        reg32(rd + kGicrWaker) = reg32(rd + kGicrWaker) & ~0x2u;  // ProcessorSleep off
        while ((reg32(rd + kGicrWaker) & 0x4u) != 0) {            // ChildrenAsleep
        }
        reg32(rd + kSgi + kGicdIgroupr) = ~0u;
        reg32(rd + kSgi + kGicdIcenabler) = ~0u;
        reg32(rd + kSgi + kGicdIcpendr) = ~0u;
        reg32(rd + kSgi + kGicdIcactiver) = ~0u;
        for (std::uint32_t i = 0; i < 32; i += 4)
            reg32(rd + kSgi + kGicdIpriorityr + i) = 0x01010101u * kHypervisorPriority;
        reg32(rd + kSgi + kGicdIsenabler) =
            (1u << kKickSgi) | (1u << kMaintenancePpi) | (1u << kHypervisorTimerPpi);
    }
    asm volatile(
        "msr S3_4_C12_C9_5, %0\n"  // ICC_SRE_EL2: SRE, DFB, DIB, Enable (EL1 may use SRE)
        "isb\n"
        "msr S3_0_C4_C6_0, %1\n"     // ICC_PMR_EL1: everything passes
        "msr S3_0_C12_C12_3, xzr\n"  // ICC_BPR1_EL1
        "msr S3_0_C12_C12_4, %2\n"   // ICC_CTLR_EL1: EOImode 1 (drop and deactivate apart)
        "msr S3_0_C12_C12_7, %3\n"   // ICC_IGRPEN1_EL1
        "isb\n"
        :
        : "r"(std::uint64_t{0xf}), "r"(std::uint64_t{0xff}), "r"(std::uint64_t{1} << 1),
          "r"(std::uint64_t{1}));
}

void gic_enable_spi(std::uint32_t intid, bool enabled) {
    const std::uint64_t reg = enabled ? kGicdIsenabler : kGicdIcenabler;
    reg32(g_dist + reg + (intid / 32) * 4) = 1u << (intid % 32);
}

void gic_route_spi(std::uint32_t intid, std::uint64_t mpidr) {
    reg64(g_dist + kGicdIrouter + 8ull * intid) = mpidr & 0xff00ffffffull;
}

void gic_set_spi_edge(std::uint32_t intid, bool edge) {
    const std::uint64_t at = g_dist + kGicdIcfgr + (intid / 16) * 4;
    const std::uint32_t mask = 2u << (2 * (intid % 16));
    reg32(at) = edge ? reg32(at) | mask : reg32(at) & ~mask;
}

void gic_enable_ppi(std::uint64_t mpidr, std::uint32_t intid, bool enabled) {
    const std::uint64_t rd = redistributor_of(mpidr);
    if (rd != 0 && intid < 32)
        reg32(rd + kSgi + (enabled ? kGicdIsenabler : kGicdIcenabler)) = 1u << intid;
}

void gic_reset_ppi(std::uint64_t mpidr, std::uint32_t intid) {
    const std::uint64_t rd = redistributor_of(mpidr);
    if (rd == 0 || intid >= 32)
        return;
    reg32(rd + kSgi + kGicdIcenabler) = 1u << intid;
    reg32(rd + kSgi + kGicdIcpendr) = 1u << intid;
    reg32(rd + kSgi + kGicdIcactiver) = 1u << intid;
}

void gic_send_sgi(std::uint64_t mpidr, std::uint32_t intid) {
    const std::uint64_t value = ((mpidr >> 32) & 0xff) << 48    // Aff3
                                | ((mpidr >> 16) & 0xff) << 32  // Aff2
                                | ((mpidr >> 8) & 0xff) << 16   // Aff1
                                | ((mpidr & 0xf0) >> 4) << 44   // RS: Aff0 / 16
                                | std::uint64_t{intid & 0xf} << 24 | (1ull << (mpidr & 0xf));
    asm volatile("dsb ishst\n msr S3_0_C12_C11_5, %0\n isb" : : "r"(value) : "memory");
}

}  // namespace tern::arch
