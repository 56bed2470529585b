// DomainMemory: a domain's physical-to-machine map, populated in large zeroed runs, released
// page-exact, limited, and all-or-nothing on failure.
#include "common/domain_memory.hpp"

#include <gtest/gtest.h>

#include "fake_machine_memory.hpp"

namespace tern::hv {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kRam0 = TERN_GUEST_RAM0_BASE >> kPageShift;

TEST(DomainMemory, PopulateTakesOneAlignedRunWhenTheMachineHasOne) {
    FakeMachineMemory machine({{0x40000000, 256 * kMiB}});
    const auto before = machine.free_pages();
    DomainMemory m(64 * kMiB / kPageSize);
    ASSERT_EQ(m.populate({kRam0, 16384}, machine), Status::ok);
    ASSERT_EQ(m.extents().size(), 1u);
    EXPECT_EQ(m.extents()[0].machine.value % (2 * kMiB), 0u);  // stage 2 can use 2 MiB blocks
    EXPECT_EQ(m.pages(), 16384u);
    EXPECT_EQ(machine.free_pages(), before - 16384);
    ASSERT_EQ(machine.zeroed.size(), 1u);
    EXPECT_EQ(machine.zeroed[0].second, 16384u);
    EXPECT_EQ(m.machine_of(kRam0 + 5)->value, m.extents()[0].machine.value + 5 * kPageSize);
    EXPECT_FALSE(m.machine_of(kRam0 + 16384).has_value());
}

TEST(DomainMemory, PopulateFollowsAFragmentedMachineAndMapsEveryFrame) {
    // Holes every 1 MiB + 4 KiB: no run is longer than 255 pages.
    std::vector<PhysRange> holes;
    for (std::uint64_t a = 0x40000000; a < 0x44000000; a += kMiB + 4096)
        holes.push_back({Paddr{a}, 4096});
    holes.resize(PageAllocator::kMaxReserved);
    FakeMachineMemory machine({{0x40000000, 16 * kMiB}}, holes);
    DomainMemory m(1024);
    ASSERT_EQ(m.populate({kRam0 + 3, 1000}, machine), Status::ok);
    EXPECT_GT(m.extents().size(), 3u);
    EXPECT_EQ(m.pages(), 1000u);
    std::vector<std::uint64_t> seen;
    for (std::uint64_t g = kRam0 + 3; g < kRam0 + 1003; ++g) {
        auto p = m.machine_of(g);
        ASSERT_TRUE(p.has_value()) << g;
        for (auto s : seen)
            ASSERT_NE(s, p->value);  // no machine page twice
        seen.push_back(p->value);
    }
}

TEST(DomainMemory, RefusalsChangeNothing) {
    FakeMachineMemory machine({{0x40000000, 64 * kMiB}});
    DomainMemory m(100);
    const auto before = machine.free_pages();
    EXPECT_EQ(m.populate({kRam0, 101}, machine), Status::out_of_memory);  // over its limit
    EXPECT_EQ(m.populate({0, 1}, machine), Status::invalid_argument);     // not RAM in the layout
    EXPECT_EQ(m.populate({kRam0 - 1, 2}, machine), Status::invalid_argument);  // straddles
    EXPECT_EQ(m.populate({kRam0, 0}, machine), Status::invalid_argument);
    EXPECT_EQ(m.populate({~0ull - 1, 4}, machine), Status::invalid_argument);  // wraps
    ASSERT_EQ(m.populate({kRam0, 10}, machine), Status::ok);
    EXPECT_EQ(m.populate({kRam0 + 9, 2}, machine), Status::already_exists);
    EXPECT_EQ(m.pages(), 10u);
    EXPECT_EQ(machine.free_pages(), before - 10);
}

TEST(DomainMemory, AMachineThatRunsOutMidwayLeavesNothingBehind) {
    std::vector<PhysRange> holes;
    for (std::uint64_t a = 0x40000000; a < 0x41000000; a += kMiB)
        holes.push_back({Paddr{a}, 4096});
    FakeMachineMemory machine({{0x40000000, 16 * kMiB}}, holes);
    const auto before = machine.free_pages();
    DomainMemory m(4096);
    machine.fail_after(3);
    EXPECT_EQ(m.populate({kRam0, 2000}, machine), Status::out_of_memory);
    EXPECT_EQ(m.pages(), 0u);
    EXPECT_TRUE(m.extents().empty());
    EXPECT_EQ(machine.free_pages(), before);
}

TEST(DomainMemory, ReleaseIsPageExactAndSplitsRuns) {
    FakeMachineMemory machine({{0x40000000, 64 * kMiB}});
    const auto before = machine.free_pages();
    DomainMemory m(4096);
    ASSERT_EQ(m.populate({kRam0, 1024}, machine), Status::ok);
    const Paddr base = m.extents()[0].machine;
    auto r = m.release({kRam0 + 100, 10}, machine);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), 10u);
    EXPECT_EQ(m.pages(), 1014u);
    EXPECT_EQ(m.extents().size(), 2u);
    EXPECT_FALSE(m.machine_of(kRam0 + 105).has_value());
    EXPECT_EQ(m.machine_of(kRam0 + 110)->value, base.value + 110 * kPageSize);
    EXPECT_EQ(m.machine_of(kRam0 + 99)->value, base.value + 99 * kPageSize);
    // A range with holes releases only what is backed; then the hole can be filled again.
    EXPECT_EQ(m.release({kRam0 + 90, 30}, machine).value(), 20u);
    EXPECT_EQ(m.populate({kRam0 + 90, 30}, machine), Status::ok);
    EXPECT_EQ(m.pages(), 1024u);
    m.release_all(machine);
    EXPECT_EQ(m.pages(), 0u);
    EXPECT_EQ(machine.free_pages(), before);
}

TEST(DomainMemory, ABalloonsScatteredPagesGetRoomBeyondTheFirstExtentsAndGiveItBack) {
    FakeMachineMemory machine({{0x40000000, 64 * kMiB}});
    const auto before = machine.free_pages();
    DomainMemory m(4096);
    ASSERT_EQ(m.populate({kRam0, 2048}, machine), Status::ok);
    for (std::uint64_t i = 1; i < 2048; i += 2)
        ASSERT_EQ(m.release({kRam0 + i, 1}, machine).value(), 1u) << i;
    EXPECT_EQ(m.extents().size(), 1024u);  // far more than the first table holds
    EXPECT_GT(machine.live_objects, 0);
    EXPECT_EQ(m.pages(), 1024u);
    EXPECT_EQ(m.machine_of(kRam0 + 2046)->value, m.machine_of(kRam0)->value + 2046 * kPageSize);
    EXPECT_FALSE(m.machine_of(kRam0 + 2047).has_value());
    m.release_all(machine);
    EXPECT_EQ(machine.live_objects, 0);
    EXPECT_EQ(machine.free_pages(), before);
}

TEST(DomainMemory, ASplitWithNoRoomToBeHadChangesNothing) {
    FakeMachineMemory machine({{0x40000000, 64 * kMiB}});
    DomainMemory m(4096);
    ASSERT_EQ(m.populate({kRam0, 1024}, machine), Status::ok);
    machine.refuse_objects = true;
    std::uint64_t i = 1;
    for (; i < 1024; i += 2) {
        if (!m.release({kRam0 + i, 1}, machine).ok())
            break;
    }
    EXPECT_EQ(m.extents().size(), DomainMemory::kFirstExtents);
    EXPECT_TRUE(m.machine_of(kRam0 + i).has_value());  // the refused page is still there
    EXPECT_EQ(m.pages(), 1024u - (i - 1) / 2);
    m.release_all(machine);
}

TEST(DomainMemory, MagicPagesAndTheSecondBankArePopulatable) {
    FakeMachineMemory machine({{0x40000000, 64 * kMiB}});
    DomainMemory m(16);
    EXPECT_EQ(m.populate({TERN_GUEST_MAGIC_BASE >> kPageShift, 4}, machine), Status::ok);
    EXPECT_EQ(m.populate({TERN_GUEST_RAM1_BASE >> kPageShift, 4}, machine), Status::ok);
    EXPECT_EQ(m.populate({TERN_GUEST_GNTTAB_BASE >> kPageShift, 1}, machine),
              Status::invalid_argument);
    EXPECT_EQ(m.pages(), 8u);
    m.release_all(machine);
}

}  // namespace
}  // namespace tern::hv
