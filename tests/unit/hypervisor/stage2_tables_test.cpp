// Stage2Tables: a domain's stage-2 translation built in the VMSAv8-64 format — block mappings
// for 2 MiB runs, pages elsewhere, splitting on partial unmaps, refusals that change nothing,
// and every table given back.
#include "common/stage2_tables.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <set>

namespace tern::hv {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kGiB = 1ull << 30;

struct HeapTables final : TablePages {
    std::uint64_t* allocate_table() override {
        if (limit == 0)
            return nullptr;
        --limit;
        auto* t = static_cast<std::uint64_t*>(std::aligned_alloc(4096, 4096));
        std::memset(t, 0, 4096);
        live.insert(t);
        return t;
    }
    void free_table(std::uint64_t* table) override {
        EXPECT_EQ(live.erase(table), 1u);
        std::free(table);
    }
    std::set<std::uint64_t*> live;
    int limit = 1 << 20;
};

TEST(Stage2Tables, AlignedRunsBecomeBlocksAndTranslate) {
    HeapTables pages;
    {
        Stage2Tables s2(pages, 7);
        ASSERT_EQ(s2.map(1 * kGiB, Paddr{0x80000000}, 64 * kMiB, Stage2Memory::normal), Status::ok);
        EXPECT_EQ(s2.tables_in_use(), 2u);  // the root and one level-2 table: all blocks
        EXPECT_EQ(s2.translate(1 * kGiB + 5 * kMiB + 0x123)->value, 0x80000000u + 5 * kMiB + 0x123);
        EXPECT_FALSE(s2.translate(1 * kGiB + 64 * kMiB).has_value());
        EXPECT_FALSE(s2.translate(0).has_value());
        EXPECT_EQ(s2.vttbr() >> 48, 7u);
        EXPECT_EQ(s2.vttbr() & 0xfff, 0u);
    }
    EXPECT_TRUE(pages.live.empty());
}

TEST(Stage2Tables, TablesForPagesOnlyMapAlignedRunsWithPages) {
    HeapTables pages;
    {
        Stage2Tables s2(pages, 3, Stage2Granule::pages);
        ASSERT_EQ(s2.map(1 * kGiB, Paddr{0x80000000}, 64 * kMiB, Stage2Memory::normal), Status::ok);
        EXPECT_EQ(s2.tables_in_use(), 2u + 32u);  // a level-3 table for each 2 MiB
        EXPECT_EQ(s2.translate(1 * kGiB + 5 * kMiB + 0x123)->value, 0x80000000u + 5 * kMiB + 0x123);
        EXPECT_FALSE(s2.translate(1 * kGiB + 64 * kMiB).has_value());
        // Unmapping one page splits nothing: the tables stay as they are.
        ASSERT_EQ(s2.unmap(1 * kGiB + 6 * kMiB, 4096), Status::ok);
        EXPECT_EQ(s2.tables_in_use(), 2u + 32u);
        EXPECT_FALSE(s2.translate(1 * kGiB + 6 * kMiB).has_value());
        EXPECT_TRUE(s2.translate(1 * kGiB + 6 * kMiB + 4096).has_value());
    }
    EXPECT_TRUE(pages.live.empty());
}

TEST(Stage2Tables, MisalignedRunsArePagesAndNothingIsMappedTwice) {
    HeapTables pages;
    Stage2Tables s2(pages, 2);
    // Guest and machine disagree modulo 2 MiB: pages only.
    ASSERT_EQ(s2.map(1 * kGiB, Paddr{0x80001000}, 4 * kMiB, Stage2Memory::normal), Status::ok);
    EXPECT_EQ(s2.tables_in_use(), 2u + 2u);
    EXPECT_EQ(s2.translate(1 * kGiB + 3 * kMiB)->value, 0x80001000u + 3 * kMiB);
    EXPECT_EQ(s2.map(1 * kGiB + 4 * kMiB - 4096, Paddr{0x90000000}, 8192, Stage2Memory::normal),
              Status::already_exists);
    EXPECT_FALSE(s2.translate(1 * kGiB + 4 * kMiB).has_value());  // the refusal mapped nothing
    EXPECT_EQ(s2.map(0x39000000, Paddr{0x70000000}, 4096, Stage2Memory::normal), Status::ok);
    EXPECT_EQ(s2.map(0x3001000, Paddr{0x8000000}, 0x10000, Stage2Memory::device), Status::ok);
    EXPECT_EQ(s2.map(1ull << 39, Paddr{0}, 4096, Stage2Memory::normal), Status::invalid_argument);
    EXPECT_EQ(s2.map(0x1000, Paddr{0x10}, 4096, Stage2Memory::normal), Status::invalid_argument);
    EXPECT_EQ(s2.map(0x1000, Paddr{0}, 0, Stage2Memory::normal), Status::invalid_argument);
}

TEST(Stage2Tables, UnmappingPartOfABlockSplitsIt) {
    HeapTables pages;
    Stage2Tables s2(pages, 2);
    ASSERT_EQ(s2.map(1 * kGiB, Paddr{0x80000000}, 4 * kMiB, Stage2Memory::normal), Status::ok);
    ASSERT_EQ(s2.unmap(1 * kGiB + 4096, 4096), Status::ok);
    EXPECT_FALSE(s2.translate(1 * kGiB + 4096).has_value());
    EXPECT_EQ(s2.translate(1 * kGiB)->value, 0x80000000u);
    EXPECT_EQ(s2.translate(1 * kGiB + 8192)->value, 0x80002000u);
    EXPECT_EQ(s2.translate(1 * kGiB + 3 * kMiB)->value, 0x80000000u + 3 * kMiB);
    // The hole can be filled with another page; the whole second block goes at once.
    EXPECT_EQ(s2.map(1 * kGiB + 4096, Paddr{0x90000000}, 4096, Stage2Memory::normal), Status::ok);
    EXPECT_EQ(s2.translate(1 * kGiB + 4096)->value, 0x90000000u);
    const auto tables = s2.tables_in_use();
    ASSERT_EQ(s2.unmap(1 * kGiB + 2 * kMiB, 2 * kMiB), Status::ok);
    EXPECT_EQ(s2.tables_in_use(), tables);
    EXPECT_FALSE(s2.translate(1 * kGiB + 3 * kMiB).has_value());
    EXPECT_EQ(s2.unmap(5 * kGiB, 4096), Status::ok);  // nothing there: nothing to do
}

TEST(Stage2Tables, RunningOutOfTablesIsAStatus) {
    HeapTables pages;
    pages.limit = 2;
    Stage2Tables s2(pages, 2);
    EXPECT_EQ(s2.map(1 * kGiB, Paddr{0x80001000}, 8192, Stage2Memory::normal),
              Status::out_of_memory);
    pages.limit = 10;
    EXPECT_EQ(s2.map(1 * kGiB, Paddr{0x80001000}, 8192, Stage2Memory::normal), Status::ok);
}

}  // namespace
}  // namespace tern::hv
