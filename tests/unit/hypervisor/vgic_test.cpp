// Vgic: the virtual GICv3's registers as Linux's GICv3 driver uses them, routing, SGIs and
// what is handed to the list registers.
#include "common/vgic.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tern::hv {
namespace {

struct RecordingHost final : VgicHost {
    void set_physical_enabled(std::uint32_t intid, std::uint32_t vcpu, bool on) override {
        log.push_back((on ? "enable " : "disable ") + std::to_string(intid) + "@" +
                      std::to_string(vcpu));
    }
    void route_physical(std::uint32_t intid, std::uint32_t vcpu) override {
        log.push_back("route " + std::to_string(intid) + "->" + std::to_string(vcpu));
    }
    void set_physical_edge(std::uint32_t intid, bool edge) override {
        log.push_back("edge " + std::to_string(intid) + "=" + std::to_string(edge));
    }
    void kick(std::uint32_t vcpu) override { kicks.push_back(vcpu); }
    std::vector<std::string> log;
    std::vector<std::uint32_t> kicks;
};

constexpr std::uint64_t kMpidrs[] = {0x0, 0x1};
constexpr std::uint64_t kSgi = 0x10000;

struct World {
    World() : vgic(2, kMpidrs, 128, hw_spis(), (1u << 27) | (1u << 30), host) {}
    static std::array<std::uint32_t, Vgic::kMaxIrqs / 32> hw_spis() {
        std::array<std::uint32_t, Vgic::kMaxIrqs / 32> spis{};
        spis[1] = ~0u & ~(1u << 1);  // SPIs 32-63 are the devices', but 33 is the hypervisor's
        return spis;
    }
    std::uint64_t dist(std::uint64_t offset, unsigned size = 4) {
        std::uint64_t v = 0;
        EXPECT_TRUE(vgic.dist_read(offset, size, v));
        return v;
    }
    std::uint64_t redist(std::uint64_t offset, unsigned size = 4) {
        std::uint64_t v = 0;
        EXPECT_TRUE(vgic.redist_read(offset, size, v));
        return v;
    }
    RecordingHost host;
    Vgic vgic;
};

TEST(Vgic, IdentifiesAsAGicv3WithAffinityRoutingAndNoLpis) {
    World w;
    EXPECT_EQ(w.dist(0xffe8) & 0xf0, 0x30u);  // GICD_PIDR2.ArchRev
    const std::uint64_t typer = w.dist(0x4);
    EXPECT_EQ(typer & 0x1f, 3u);       // ITLinesNumber: 128 INTIDs
    EXPECT_EQ((typer >> 17) & 1, 0u);  // no LPIs
    EXPECT_EQ((typer >> 19) & 0x1f, 9u);
    EXPECT_EQ(w.dist(0x0) & 0x50, 0x50u);  // ARE and DS
    EXPECT_EQ(w.redist(0xffe8) & 0xf0, 0x30u);
    EXPECT_EQ(w.redist(0x20000 + 0xffe8) & 0xf0, 0x30u);
}

TEST(Vgic, RedistributorsNameTheirVcpuAndTheLastSaysSo) {
    World w;
    const std::uint64_t t0 = w.redist(0x8, 8);
    const std::uint64_t t1 = w.redist(0x20000 + 0x8, 8);
    EXPECT_EQ(t0 >> 32, 0x0u);
    EXPECT_EQ(t1 >> 32, 0x1u);
    EXPECT_EQ(t0 & 0x10, 0u);
    EXPECT_EQ(t1 & 0x10, 0x10u);                // Last
    EXPECT_EQ(w.redist(0x20000 + 0xc), 0x1u);   // the upper half read alone
    EXPECT_EQ(w.redist(0x40000 + 0x8, 8), 0u);  // no third redistributor
    // GICR_WAKER: the driver wakes the redistributor and waits for ChildrenAsleep to clear.
    EXPECT_EQ(w.redist(0x14), 0x6u);
    EXPECT_TRUE(w.vgic.redist_write(0x14, 4, 0));
    EXPECT_EQ(w.redist(0x14), 0u);
}

TEST(Vgic, AHardwareSpiFollowsItsVcpuToAnotherCpu) {
    World w;
    EXPECT_TRUE(w.vgic.dist_write(0x6000 + 8 * 40, 8, 0x1));               // IROUTER40 -> vCPU 1
    EXPECT_TRUE(w.vgic.dist_write(0x6000 + 8 * 41, 8, 0x1));               // IROUTER41 -> vCPU 1
    EXPECT_TRUE(w.vgic.dist_write(0x100 + 4, 4, (1u << 8) | (1u << 10)));  // enable 40, 42
    w.host.log.clear();
    w.vgic.follow_vcpu(1);  // 41 is disabled, 42 goes to vCPU 0
    EXPECT_EQ(w.host.log, (std::vector<std::string>{"route 40->1"}));
    w.host.log.clear();
    w.vgic.follow_vcpu(0);
    EXPECT_EQ(w.host.log, (std::vector<std::string>{"route 42->0"}));
}

TEST(Vgic, EnablingAHardwareSpiEnablesAndRoutesThePhysicalOne) {
    World w;
    EXPECT_TRUE(w.vgic.dist_write(0x6000 + 8 * 40, 8, 0x1));  // IROUTER40 -> MPIDR 1
    EXPECT_EQ(w.vgic.target_of(40), 1u);
    EXPECT_EQ(w.dist(0x6000 + 8 * 40, 8), 0x1u);
    EXPECT_TRUE(w.vgic.dist_write(0x100 + 4, 4, (1u << 8) | (1u << 1)));  // ISENABLER1: 40, 33
    EXPECT_EQ(w.dist(0x100 + 4), (1u << 8) | (1u << 1));
    EXPECT_EQ(w.host.log, (std::vector<std::string>{"route 40->1", "enable 40@0"}));
    EXPECT_TRUE(w.vgic.dist_write(0x180 + 4, 4, 1u << 8));  // ICENABLER1
    EXPECT_EQ(w.host.log.back(), "disable 40@0");
    // ICFGR2 covers INTIDs 32-47: INTID 40 edge-triggered.
    EXPECT_TRUE(w.vgic.dist_write(0xc00 + 8, 4, 2u << (2 * 8)));
    EXPECT_EQ(w.host.log.back(), "edge 40=1");
    EXPECT_EQ(w.dist(0xc00 + 8), 2u << 16);
    // Byte writes of priorities.
    EXPECT_TRUE(w.vgic.dist_write(0x400 + 40, 1, 0xa0));
    EXPECT_EQ(w.dist(0x400 + 40, 1), 0xa0u);
    EXPECT_EQ(w.dist(0x400 + 40, 4), 0xa0u);
}

TEST(Vgic, BadAccessSizesAreRefused) {
    World w;
    std::uint64_t v = 0;
    EXPECT_FALSE(w.vgic.dist_read(0x100, 1, v));
    EXPECT_FALSE(w.vgic.dist_write(0x4, 2, 0));
    EXPECT_FALSE(w.vgic.redist_write(kSgi + 0x100, 8, 0));
}

TEST(Vgic, PendingInterruptsComeOutByPriorityOnlyWhenEnabled) {
    World w;
    EXPECT_TRUE(w.vgic.dist_write(0x0, 4, 0x2));  // EnableGrp1
    EXPECT_TRUE(w.vgic.redist_write(kSgi + 0x400 + 27, 1, 0xa0));
    EXPECT_TRUE(w.vgic.redist_write(kSgi + 0x400 + 31, 1, 0x80));
    EXPECT_TRUE(w.vgic.redist_write(kSgi + 0x100, 4, 1u << 27));  // the timer, not 31 yet
    EXPECT_EQ(w.host.log, (std::vector<std::string>{"enable 27@0"}));
    EXPECT_TRUE(w.vgic.raise(0, 31));
    EXPECT_TRUE(w.vgic.raise(0, 27));
    EXPECT_EQ(w.host.kicks, (std::vector<std::uint32_t>{0}));  // only the enabled one kicks
    Vgic::Pending out[4];
    ASSERT_EQ(w.vgic.take_pending(0, out, 4), 1u);
    EXPECT_EQ(out[0].intid, 27u);
    EXPECT_TRUE(out[0].hw);
    EXPECT_TRUE(w.vgic.redist_write(kSgi + 0x100, 4, 1u << 31));  // enabling 31 delivers it
    EXPECT_EQ(w.host.kicks.back(), 0u);
    EXPECT_TRUE(w.vgic.raise(0, 27));
    ASSERT_EQ(w.vgic.take_pending(0, out, 4), 2u);
    EXPECT_EQ(out[0].intid, 31u);  // 0x80 before 0xa0
    EXPECT_FALSE(out[0].hw);
    EXPECT_EQ(out[1].intid, 27u);
    EXPECT_FALSE(w.vgic.has_pending(0));
    // No room in the list registers: given back, still pending.
    EXPECT_TRUE(w.vgic.raise(0, 27));
    ASSERT_EQ(w.vgic.take_pending(0, out, 1), 1u);
    w.vgic.put_back(0, out[0]);
    EXPECT_TRUE(w.vgic.has_pending(0));
}

TEST(Vgic, TheBestOfManyPendingFitInFewListRegisters) {
    World w;
    EXPECT_TRUE(w.vgic.dist_write(0x0, 4, 0x2));
    EXPECT_TRUE(w.vgic.dist_write(0x100 + 8, 4, ~0u));  // SPIs 64-95, software-only
    for (std::uint32_t i = 0; i < 32; ++i) {
        EXPECT_TRUE(w.vgic.dist_write(0x400 + 64 + i, 1, 0xf0 - 8 * (i % 8)));
        EXPECT_TRUE(w.vgic.raise(0, 64 + i));
    }
    Vgic::Pending out[4];
    ASSERT_EQ(w.vgic.take_pending(0, out, 4), 4u);
    for (const auto& p : out)
        EXPECT_EQ(p.priority, 0xf0 - 8 * 7);
    EXPECT_TRUE(w.vgic.has_pending(0));
}

TEST(Vgic, Sgi1rReachesTheNamedVcpusOrAllOthers) {
    World w;
    // SGI 3 to Aff0 = 1 (TargetList bit 1).
    w.vgic.write_sgi1r(0, (3ull << 24) | 0x2);
    EXPECT_EQ(w.host.kicks, (std::vector<std::uint32_t>{1}));  // SGIs are enabled from reset
    Vgic::Pending out[4];
    ASSERT_EQ(w.vgic.take_pending(1, out, 4), 1u);
    EXPECT_EQ(out[0].intid, 3u);
    EXPECT_EQ(w.vgic.take_pending(0, out, 4), 0u);
    // IRM: everyone but the sender.
    w.vgic.write_sgi1r(1, (5ull << 24) | (1ull << 40));
    ASSERT_EQ(w.vgic.take_pending(0, out, 4), 1u);
    EXPECT_EQ(out[0].intid, 5u);
    EXPECT_EQ(w.vgic.take_pending(1, out, 4), 0u);
    // A target list naming nobody who exists.
    w.vgic.write_sgi1r(0, (1ull << 24) | (1ull << 16) | 0x1);  // Aff1 = 1
    EXPECT_FALSE(w.vgic.has_pending(0) || w.vgic.has_pending(1));
}

TEST(Vgic, SpisWaitForTheDistributorToBeEnabled) {
    World w;
    EXPECT_TRUE(w.vgic.dist_write(0x100 + 8, 4, 1u));  // SPI 64
    EXPECT_TRUE(w.vgic.raise(0, 64));
    EXPECT_FALSE(w.vgic.has_pending(0));
    EXPECT_TRUE(w.vgic.dist_write(0x0, 4, 0x2));
    EXPECT_TRUE(w.vgic.has_pending(0));
    EXPECT_FALSE(w.vgic.raise(0, 200));  // beyond this distributor
}

}  // namespace
}  // namespace tern::hv
