// A domU's own-state hypercalls: shared_info and grant frames land where it asks, vcpu_info
// moves into its RAM, events raise its event PPI in its vGIC and kick the vCPU, HVM params
// are read-only to it, and destroying it gives back the pages it was given.
#include "common/domain_hypercalls.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "buffer_guest_memory.hpp"
#include "common/event_channel_op.hpp"
#include "common/guest_errno.hpp"
#include "fake_machine_memory.hpp"
#include "public/event_channel.hpp"
#include "public/grant_table.hpp"
#include "public/memory.hpp"
#include "public/sched.hpp"
#include "public/vcpu.hpp"
#include "real_bank.hpp"

namespace tern::hv {
namespace {

constexpr std::uint64_t kRamGfn = TERN_GUEST_RAM0_BASE >> kPageShift;

class RecordingHooks final : public DomainHooks {
  public:
    void kick(const Domain&, std::uint32_t vcpu) override { kicks.push_back(vcpu); }
    void set_ppi_enabled(const Domain&, std::uint32_t vcpu, std::uint32_t intid,
                         bool enabled) override {
        ppis.push_back({vcpu, intid, enabled});
    }
    struct Ppi {
        std::uint32_t vcpu, intid;
        bool enabled;
    };
    void flush_tlb(const Domain&) override { ++flushes; }
    std::vector<std::uint32_t> kicks;
    std::vector<Ppi> ppis;
    int flushes = 0;
};

// The frames dom0 maps, as Dom0Memory would answer.
class HeldFrames final : public FrameUsers {
  public:
    bool holds(const Domain&, std::uint64_t gfn) const override {
        for (std::uint64_t g : held)
            if (g == gfn)
                return true;
        return false;
    }
    std::vector<std::uint64_t> held;
};

struct World {
    RealBank bank;
    FakeMachineMemory machine{{{bank.base(), bank.size}}};
    RecordingHooks hooks;
    DomainTable domains{machine, &hooks};
    BufferGuestMemory memory{8192};
    Domain* domain = nullptr;
    World() {
        DomainConfig c;
        c.max_vcpus = 2;
        c.max_pages = 64;
        c.max_grant_frames = 4;
        domain = domains.create(c).value();
        EXPECT_EQ(domain->populate({kRamGfn, 16}), Status::ok);
    }
    std::uint64_t arg(std::size_t offset = 0) const { return BufferGuestMemory::kBase + offset; }
    template <class T>
    void put(const T& v, std::size_t offset = 0) {
        ASSERT_TRUE(memory.write(arg(offset), v));
    }
    template <class T>
    T get(std::size_t offset = 0) {
        T v{};
        EXPECT_TRUE(memory.read(arg(offset), v));
        return v;
    }
    std::int64_t add_to_physmap(unsigned space, std::uint64_t idx, std::uint64_t gpfn,
                                pub::domid_t dom = pub::kDomidSelf) {
        pub::xen_add_to_physmap a{};
        a.domid = dom;
        a.space = space;
        a.idx = idx;
        a.gpfn = gpfn;
        put(a);
        return domain_memory_op(*domain, memory, pub::kMemoryOpAddToPhysmap, arg(), held);
    }
    // decrease_reservation / populate_physmap of the frames `gfns` (extents of 2^order pages).
    std::int64_t reservation(unsigned cmd, std::vector<std::uint64_t> gfns, unsigned order = 0,
                             pub::domid_t dom = pub::kDomidSelf) {
        constexpr std::size_t kList = 1024;
        for (std::size_t i = 0; i < gfns.size(); ++i)
            put(gfns[i], kList + i * sizeof(std::uint64_t));
        pub::xen_memory_reservation r{};
        r.extent_start.p = arg(kList);
        r.nr_extents = gfns.size();
        r.extent_order = order;
        r.domid = dom;
        put(r);
        return domain_memory_op(*domain, memory, cmd, arg(), held);
    }
    HeldFrames held;
    // vCPU 0's vcpu_info at `offset` of RAM frame 3.
    std::int64_t register_vcpu_info(std::uint32_t vcpu, std::uint64_t gfn, std::uint32_t offset) {
        pub::vcpu_register_vcpu_info r{gfn, offset, 0};
        put(r);
        return domain_vcpu_op(*domain, memory, vcpu, pub::kVcpuOpRegisterVcpuInfo, vcpu, arg());
    }
};

TEST(DomainHypercalls, SharedInfoReplacesTheRamPageItIsPlacedOver) {
    World w;
    const std::uint64_t gfn = kRamGfn + 5;
    const Paddr ram = w.domain->stage2().translate(gfn << kPageShift).value();
    ASSERT_EQ(w.add_to_physmap(pub::kMapspaceSharedInfo, 0, gfn), 0);
    const Paddr shared = w.domain->stage2().translate(gfn << kPageShift).value();
    EXPECT_NE(shared.value, ram.value);
    // The neighbours of a split 2 MiB block still map their RAM.
    EXPECT_EQ(w.domain->stage2().translate((gfn + 1) << kPageShift)->value, ram.value + kPageSize);
    // Asking again (Linux does after a resume) places the same page.
    ASSERT_EQ(w.add_to_physmap(pub::kMapspaceSharedInfo, 0, kRamGfn + 6), 0);
    EXPECT_EQ(w.domain->stage2().translate((kRamGfn + 6) << kPageShift)->value, shared.value);
    EXPECT_EQ(w.add_to_physmap(pub::kMapspaceSharedInfo, 1, gfn), kEinval);
    EXPECT_EQ(w.add_to_physmap(pub::kMapspaceSharedInfo, 0, gfn, 0), kEperm);  // dom0's
    EXPECT_EQ(w.add_to_physmap(pub::kMapspaceGmfnForeign, 0, gfn), kEinval);
}

TEST(DomainHypercalls, TheBalloonGivesPagesBackAndTakesThemAgain) {
    World w;
    const std::uint64_t free_before = w.machine.free_pages();
    // Every other page of the 16 (the extents split each time), so that the room for them grows.
    std::vector<std::uint64_t> odd;
    for (std::uint64_t i = 1; i < 16; i += 2)
        odd.push_back(kRamGfn + i);
    w.hooks.flushes = 0;
    ASSERT_EQ(w.reservation(pub::kMemoryOpDecreaseReservation, odd), 8);
    EXPECT_GE(w.hooks.flushes, 1);  // before the pages went anywhere
    EXPECT_EQ(w.domain->memory().pages(), 8u);
    EXPECT_EQ(w.machine.free_pages(), free_before + 8);
    EXPECT_FALSE(w.domain->stage2().translate((kRamGfn + 1) << kPageShift).has_value());
    EXPECT_TRUE(w.domain->stage2().translate((kRamGfn + 2) << kPageShift).has_value());
    // A page already given back stops the call there: the count says how far it got.
    EXPECT_EQ(w.reservation(pub::kMemoryOpDecreaseReservation, {kRamGfn + 2, kRamGfn + 3}), 1);
    // Taken again: fresh zeroed pages, mapped.
    ASSERT_EQ(w.reservation(pub::kMemoryOpPopulatePhysmap, {kRamGfn + 1, kRamGfn + 3}), 2);
    const Paddr page = w.domain->stage2().translate((kRamGfn + 1) << kPageShift).value();
    EXPECT_EQ(*reinterpret_cast<const std::uint8_t*>(page.value), 0);
    EXPECT_EQ(w.domain->memory().pages(), 9u);
    // A frame already backed is refused, as is one outside its RAM or over its limit (64).
    EXPECT_EQ(w.reservation(pub::kMemoryOpPopulatePhysmap, {kRamGfn + 4}), 0);
    EXPECT_EQ(w.reservation(pub::kMemoryOpPopulatePhysmap, {0x1000}), 0);
    EXPECT_EQ(w.reservation(pub::kMemoryOpPopulatePhysmap, {kRamGfn + 512}, 9), 0);
    // Another domain's reservation is not its to change; orders above 2 MiB are refused.
    EXPECT_EQ(w.reservation(pub::kMemoryOpDecreaseReservation, {kRamGfn + 4}, 0, 0), kEperm);
    EXPECT_EQ(w.reservation(pub::kMemoryOpPopulatePhysmap, {kRamGfn + 512}, 10), kEinval);
    EXPECT_EQ(w.reservation(pub::kMemoryOpIncreaseReservation, {kRamGfn + 5}), kEnosys);
}

TEST(DomainHypercalls, APageDom0MapsOrAPlacedFrameCannotGoBack) {
    World w;
    w.held.held.push_back(kRamGfn + 7);
    EXPECT_EQ(w.reservation(pub::kMemoryOpDecreaseReservation, {kRamGfn + 6, kRamGfn + 7}), 1);
    EXPECT_TRUE(w.domain->stage2().translate((kRamGfn + 7) << kPageShift).has_value());
    // shared_info placed over a RAM frame: that frame does not show its RAM page any more.
    ASSERT_EQ(w.add_to_physmap(pub::kMapspaceSharedInfo, 0, kRamGfn + 9), 0);
    EXPECT_EQ(w.reservation(pub::kMemoryOpDecreaseReservation, {kRamGfn + 9}), 0);
    // Nothing behind the frame of an extent: the call stops there.
    EXPECT_EQ(w.reservation(pub::kMemoryOpDecreaseReservation, {kRamGfn + 15}, 1), 0);
    EXPECT_EQ(w.domain->memory().pages(), 15u);
}

TEST(DomainHypercalls, GrantFramesGrowTheTableUpToItsLimit) {
    World w;
    const std::uint64_t base = TERN_GUEST_GNTTAB_BASE >> kPageShift;
    ASSERT_EQ(w.add_to_physmap(pub::kMapspaceGrantTable, 0, base), 0);
    ASSERT_EQ(w.add_to_physmap(pub::kMapspaceGrantTable, 3, base + 3), 0);
    EXPECT_EQ(w.domain->grants().nr_frames(), 4u);
    EXPECT_TRUE(w.domain->stage2().translate((base + 3) << kPageShift).has_value());
    EXPECT_EQ(w.add_to_physmap(pub::kMapspaceGrantTable, 4, base + 4), kEinval);  // max 4
    EXPECT_EQ(w.add_to_physmap(pub::kMapspaceGrantTable, 1u | (1u << 31), base + 1), kEinval);
    pub::gnttab_query_size q{};
    q.dom = pub::kDomidSelf;
    w.put(q);
    ASSERT_EQ(w.domain->grants().op(w.memory, pub::kGnttabOpQuerySize, w.arg(), 1), 0);
    q = w.get<pub::gnttab_query_size>();
    EXPECT_EQ(q.nr_frames, 4u);
    EXPECT_EQ(q.max_nr_frames, 4u);
}

TEST(DomainHypercalls, EventsRaiseTheEventPpiOfTheNotifyVcpuAndKickIt) {
    World w;
    ASSERT_EQ(w.add_to_physmap(pub::kMapspaceSharedInfo, 0, kRamGfn + 1), 0);
    ASSERT_EQ(w.register_vcpu_info(0, kRamGfn + 3, 64), 0);
    ASSERT_EQ(w.register_vcpu_info(1, kRamGfn + 3, 128), 0);
    EXPECT_EQ(w.register_vcpu_info(1, kRamGfn + 3, 192), kEinval);  // once per vCPU
    EXPECT_EQ(w.register_vcpu_info(0, kRamGfn + 40, 0), kEinval);   // not its RAM
    // The guest enables its event PPI on vCPU 1 (GICR_ISENABLER0 of its SGI frame).
    ASSERT_TRUE(w.domain->vgic().redist_write(Vgic::kRedistStride + 0x10100, 4, 1u << 31));
    auto ipi = w.domain->events().bind_ipi(1);
    ASSERT_TRUE(ipi.ok());
    // Registering raised an upcall (nothing may be lost); the guest looks and finds nothing.
    const Paddr page = w.domain->stage2().translate((kRamGfn + 3) << kPageShift).value();
    auto* info = reinterpret_cast<pub::vcpu_info*>(page.value + 128);
    EXPECT_EQ(info->evtchn_upcall_pending, 1);
    Vgic::Pending p[4];
    ASSERT_EQ(w.domain->vgic().take_pending(1, p, 4), 1u);
    info->evtchn_upcall_pending = 0;
    info->evtchn_pending_sel = 0;
    w.hooks.kicks.clear();
    ASSERT_EQ(w.domain->events().send(ipi.value()), Status::ok);
    ASSERT_EQ(w.hooks.kicks.size(), 1u);
    EXPECT_EQ(w.hooks.kicks[0], 1u);
    ASSERT_EQ(w.domain->vgic().take_pending(1, p, 4), 1u);
    EXPECT_EQ(p[0].intid, TERN_GUEST_EVTCHN_PPI);
    EXPECT_FALSE(p[0].hw);
    // The vcpu_info the guest registered says so, in its own RAM page.
    EXPECT_EQ(info->evtchn_upcall_pending, 1);
    EXPECT_NE(info->evtchn_pending_sel, 0u);
    EXPECT_TRUE(w.domain->events().is_pending(ipi.value()));
}

TEST(DomainHypercalls, TheVirtualTimerIsAVirtualInterruptThatMovesWithTheVcpu) {
    World w;
    ASSERT_TRUE(w.domain->vgic().redist_write(0x10100, 4, 1u << 27));  // vCPU 0 enables PPI 27
    EXPECT_TRUE(w.hooks.ppis.empty());  // no physical PPI follows it: vCPUs change CPUs
    EXPECT_FALSE(w.domain->vgic().is_hw(27));
    EXPECT_FALSE(w.domain->vgic().is_hw(TERN_GUEST_EVTCHN_PPI));
    // Its GIC answers at the guest layout's addresses.
    std::uint64_t typer = 0;
    ASSERT_TRUE(w.domain->devices().emulate(TERN_GUEST_GICD_BASE + 4, false, 4, typer));
    EXPECT_EQ((typer & 0x1f) + 1, Domain::kNrIrqs / 32);
    std::uint64_t unused = 0;
    EXPECT_FALSE(w.domain->devices().emulate(TERN_GUEST_GICR_BASE + 2 * Vgic::kRedistStride, false,
                                             4, unused));  // only 2 vCPUs
}

TEST(DomainHypercalls, HvmParamsAreReadOnlyToTheDomain) {
    World w;
    ASSERT_EQ(w.domain->set_hvm_param(1, 0x39001), Status::ok);
    pub::xen_hvm_param p{pub::kDomidSelf, 1, 0};
    w.put(p);
    ASSERT_EQ(domain_hvm_op(*w.domain, w.memory, pub::kHvmOpGetParam, w.arg()), 0);
    EXPECT_EQ(w.get<pub::xen_hvm_param>().value, 0x39001u);
    EXPECT_EQ(domain_hvm_op(*w.domain, w.memory, pub::kHvmOpSetParam, w.arg()), kEperm);
    p.index = 99;
    w.put(p);
    EXPECT_EQ(domain_hvm_op(*w.domain, w.memory, pub::kHvmOpGetParam, w.arg()), kEinval);
    p = {0, 1, 0};  // dom0's
    w.put(p);
    EXPECT_EQ(domain_hvm_op(*w.domain, w.memory, pub::kHvmOpGetParam, w.arg()), kEperm);
}

TEST(DomainHypercalls, FeaturesAreADomUsAndTheRunstateAreaIsFilledOnce) {
    World w;
    std::uint32_t io[2] = {0, 0};
    w.put(io);
    ASSERT_EQ(domain_xen_version(w.memory, 6, w.arg()), 0);
    const auto got = w.get<std::array<std::uint32_t, 2>>();
    EXPECT_EQ(got[1] & (1u << 11), 0u);  // not dom0
    EXPECT_NE(got[1] & (1u << 2), 0u);   // auto-translated physmap
    EXPECT_EQ(domain_xen_version(w.memory, 0, 0), (4 << 16) | 17);
    pub::vcpu_runstate_info junk{};
    junk.state = 3;
    junk.time[0] = 77;
    w.put(junk, 256);
    w.put(w.arg(256));
    ASSERT_EQ(
        domain_vcpu_op(*w.domain, w.memory, 0, pub::kVcpuOpRegisterRunstateMemoryArea, 0, w.arg()),
        0);
    const auto runstate = w.get<pub::vcpu_runstate_info>(256);
    EXPECT_EQ(runstate.state, 0);  // running
    EXPECT_EQ(runstate.time[0], 0u);
    EXPECT_EQ(
        domain_vcpu_op(*w.domain, w.memory, 0, pub::kVcpuOpRegisterRunstateMemoryArea, 2, w.arg()),
        kEinval);  // no vCPU 2
}

TEST(DomainHypercalls, DestroyingTheDomainGivesBackSharedInfoAndGrantFrames) {
    World w;
    const std::uint64_t before_domain = w.machine.free_pages() + w.domain->memory().pages();
    ASSERT_EQ(w.add_to_physmap(pub::kMapspaceSharedInfo, 0, kRamGfn + 1), 0);
    ASSERT_EQ(w.add_to_physmap(pub::kMapspaceGrantTable, 2, 0x38000), 0);
    EXPECT_LT(w.machine.free_pages() + w.domain->memory().pages(), before_domain);
    ASSERT_EQ(w.domains.destroy(w.domain->id()), Status::ok);
    const std::uint64_t tables_and_all = w.machine.free_pages();
    EXPECT_EQ(tables_and_all, w.machine.total_pages());
}

}  // namespace
}  // namespace tern::hv
