// Dom0Memory: dom0's balloon (decrease_reservation) and its foreign mappings of other
// domains' pages (add_to_physmap_batch, remove_from_physmap), with a stage 2 made of a map.
#include "common/dom0_memory.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "buffer_guest_memory.hpp"
#include "common/guest_errno.hpp"
#include "fake_machine_memory.hpp"
#include "fake_stage2.hpp"
#include "public/memory.hpp"

namespace tern::hv {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kDom0First = 0x40000;  // dom0's RAM: frames 0x40000-0x40fff (1:1)
constexpr std::uint64_t kDom0Frames = 0x1000;
constexpr std::uint64_t kArgs = BufferGuestMemory::kBase;
constexpr std::uint64_t kIdxs = BufferGuestMemory::kBase + 1024;
constexpr std::uint64_t kGpfns = BufferGuestMemory::kBase + 2048;
constexpr std::uint64_t kErrs = BufferGuestMemory::kBase + 3072;

struct World {
    // dom0's RAM is allocated in the machine as it is at boot, so that giving it back frees.
    FakeMachineMemory machine{{{0x40000000, 64 * kMiB}}};
    DomainTable domains{machine};
    ControlPlane control{domains, machine, 2};
    FakeStage2 stage2{kDom0First, kDom0Frames};
    Dom0Memory dom0{control, machine, stage2};
    BufferGuestMemory memory{4096};
    Domain* guest = nullptr;

    World() {
        EXPECT_TRUE(machine.allocator().allocate(kDom0Frames, 1).ok());  // dom0's RAM, 1:1
        control.set_teardown(&dom0);
        DomainConfig config;
        config.max_pages = 256;
        guest = domains.create(config).value();
        EXPECT_EQ(guest->populate({0x40000, 16}), Status::ok);
    }
    std::int64_t give_back(std::vector<std::uint64_t> gfns) {
        for (std::size_t i = 0; i < gfns.size(); ++i)
            EXPECT_TRUE(memory.write(kIdxs + i * 8, gfns[i]));
        pub::xen_memory_reservation r{};
        r.extent_start.p = kIdxs;
        r.nr_extents = gfns.size();
        r.domid = pub::kDomidSelf;
        EXPECT_TRUE(memory.write(kArgs, r));
        return dom0.decrease_reservation(memory, kArgs);
    }
    std::vector<int> map(pub::domid_t foreign, std::vector<std::uint64_t> idxs,
                         std::vector<std::uint64_t> gpfns, std::int64_t expect = 0) {
        for (std::size_t i = 0; i < idxs.size(); ++i) {
            EXPECT_TRUE(memory.write(kIdxs + i * 8, idxs[i]));
            EXPECT_TRUE(memory.write(kGpfns + i * 8, gpfns[i]));
            EXPECT_TRUE(memory.write(kErrs + i * 4, std::int32_t{77}));
        }
        pub::xen_add_to_physmap_batch b{};
        b.domid = pub::kDomidSelf;
        b.space = pub::kMapspaceGmfnForeign;
        b.size = static_cast<std::uint16_t>(idxs.size());
        b.foreign_domid = foreign;
        b.idxs.p = kIdxs;
        b.gpfns.p = kGpfns;
        b.errs.p = kErrs;
        EXPECT_TRUE(memory.write(kArgs, b));
        EXPECT_EQ(dom0.add_to_physmap_batch(memory, kArgs), expect);
        std::vector<int> errs(idxs.size());
        for (std::size_t i = 0; i < idxs.size(); ++i) {
            std::int32_t e = 0;
            EXPECT_TRUE(memory.read(kErrs + i * 4, e));
            errs[i] = e;
        }
        return errs;
    }
};

TEST(Dom0Memory, GivingPagesBackUnmapsAndFreesThemOnce) {
    World w;
    const auto before = w.machine.free_pages();
    EXPECT_EQ(w.give_back({0x40010, 0x40011}), 2);
    EXPECT_EQ(w.machine.free_pages(), before + 2);
    EXPECT_FALSE(w.stage2.is_mapped(0x40010));
    // Again: the first frame is no longer dom0's to give; nothing more is freed.
    EXPECT_EQ(w.give_back({0x40010}), 0);
    EXPECT_EQ(w.give_back({0x9000}), 0);  // not dom0's RAM (a device)
    EXPECT_EQ(w.machine.free_pages(), before + 2);
}

TEST(Dom0Memory, AForeignMapShowsTheGuestsPageAndOnlyItsOwn) {
    World w;
    ASSERT_EQ(w.give_back({0x40020, 0x40021, 0x40022}), 3);
    const auto errs =
        w.map(w.guest->id(), {0x40000, 0x40005, 0x50000}, {0x40020, 0x40021, 0x40022});
    EXPECT_EQ(errs[0], 0);
    EXPECT_EQ(errs[1], 0);
    EXPECT_EQ(errs[2], kEinval);  // the guest has no page there
    EXPECT_EQ(w.stage2.mapped[0x40020], w.guest->memory().machine_of(0x40000)->value);
    EXPECT_EQ(w.stage2.mapped[0x40021], w.guest->memory().machine_of(0x40005)->value);
    EXPECT_FALSE(w.stage2.is_mapped(0x40022));
    EXPECT_EQ(w.dom0.maps().count(), 2u);
    // Never over dom0's own live memory, nor outside its RAM.
    EXPECT_EQ(w.map(w.guest->id(), {0x40000}, {0x40030})[0], kEinval);
    EXPECT_EQ(w.map(w.guest->id(), {0x40000}, {0x9000})[0], kEinval);
    EXPECT_EQ(w.stage2.mapped[0x40030], 0x40030ull << kPageShift);
    // Unknown domains, itself, other spaces.
    w.map(99, {0x40000}, {0x40022}, kEsrch);
    w.map(pub::kDomidSelf, {0x40000}, {0x40022}, kEinval);
}

TEST(Dom0Memory, UnmappingLeavesTheGuestsPageToTheGuest) {
    World w;
    ASSERT_EQ(w.give_back({0x40020}), 1);
    ASSERT_EQ(w.map(w.guest->id(), {0x40003}, {0x40020})[0], 0);
    const auto free_before = w.machine.free_pages();
    pub::xen_remove_from_physmap r{pub::kDomidSelf, 0x40020};
    ASSERT_TRUE(w.memory.write(kArgs, r));
    EXPECT_EQ(w.dom0.remove_from_physmap(w.memory, kArgs), 0);
    EXPECT_FALSE(w.stage2.is_mapped(0x40020));
    EXPECT_EQ(w.machine.free_pages(), free_before);  // not freed: it is the guest's
    EXPECT_TRUE(w.guest->memory().machine_of(0x40003).has_value());
    EXPECT_EQ(w.dom0.maps().count(), 0u);
}

TEST(Dom0Memory, DestroyingTheGuestTakesEveryMappingOutOfDom0First) {
    World w;
    ASSERT_EQ(w.give_back({0x40020, 0x40021}), 2);
    ASSERT_EQ(w.map(w.guest->id(), {0x40000, 0x40001}, {0x40020, 0x40021}),
              (std::vector<int>{0, 0}));
    tern_control c{};
    c.interface_version = TERN_CONTROL_INTERFACE_VERSION;
    c.cmd = TERN_CONTROL_DESTROY;
    c.domain = w.guest->id();
    ASSERT_TRUE(w.memory.write(kArgs, c));
    EXPECT_EQ(w.control.op(0, w.memory, kArgs), 0);
    EXPECT_FALSE(w.stage2.is_mapped(0x40020));
    EXPECT_FALSE(w.stage2.is_mapped(0x40021));
    EXPECT_EQ(w.dom0.maps().count(), 0u);
}

TEST(ForeignMaps, AddReplacesRemoveForgetsAndTheTableHasALimit) {
    ForeignMaps maps;
    EXPECT_FALSE(maps.add(1, 5, 100, Paddr{0x1000}).value().has_value());
    auto replaced = maps.add(1, 6, 200, Paddr{0x2000});
    ASSERT_TRUE(replaced.value().has_value());
    EXPECT_EQ(replaced.value()->domain, 5);
    EXPECT_EQ(maps.count(), 1u);
    EXPECT_EQ(maps.find(1)->foreign_gfn, 200u);
    EXPECT_TRUE(maps.remove(1).has_value());
    EXPECT_FALSE(maps.remove(1).has_value());
    for (std::uint64_t g = 0; g < ForeignMaps::kMaxMaps; ++g)
        ASSERT_TRUE(maps.add(g, 5, g, Paddr{g << 12}).ok());
    EXPECT_EQ(maps.add(ForeignMaps::kMaxMaps, 5, 0, Paddr{0}).status(), Status::out_of_memory);
    std::set<std::uint64_t> unmapped;
    EXPECT_EQ(maps.drop_domain(5, [&](std::uint64_t g) { unmapped.insert(g); }),
              ForeignMaps::kMaxMaps);
    EXPECT_EQ(unmapped.size(), ForeignMaps::kMaxMaps);
    EXPECT_EQ(maps.count(), 0u);
}

}  // namespace
}  // namespace tern::hv
