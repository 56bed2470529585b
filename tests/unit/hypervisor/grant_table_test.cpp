// GrantTable: frames on demand up to the limit, and grant_table_op's size and version calls
// read from and answered into guest memory.
#include "common/grant_table.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "buffer_guest_memory.hpp"
#include "common/guest_errno.hpp"

namespace tern::hv {
namespace {

std::uint64_t g_next_page = 0x80000000;
std::uint64_t fake_page() {
    g_next_page += 4096;
    return g_next_page;
}
std::uint64_t no_page() {
    return 0;
}

TEST(GrantTable, FramesAreMadeOnceAndGrowTheTable) {
    GrantTable table(0);
    EXPECT_EQ(table.nr_frames(), 1u);
    auto first = table.frame(0, fake_page);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(table.frame(0, fake_page).value(), first.value());  // the same page again
    auto fourth = table.frame(3, fake_page);
    ASSERT_TRUE(fourth.ok());
    EXPECT_NE(fourth.value(), first.value());
    EXPECT_EQ(table.nr_frames(), 4u);
    EXPECT_EQ(table.frame(GrantTable::kMaxFrames, fake_page).status(), Status::invalid_argument);
    EXPECT_EQ(table.frame(5, no_page).status(), Status::out_of_memory);
    EXPECT_EQ(table.nr_frames(), 4u);  // a failed frame does not grow the table
}

TEST(GrantTable, QuerySizeReportsFramesAndTheLimit) {
    GrantTable table(0);
    ASSERT_TRUE(table.frame(1, fake_page).ok());
    BufferGuestMemory memory{256};
    pub::gnttab_query_size q{pub::kDomidSelf, 0, 0, 99};
    memory.write(BufferGuestMemory::kBase, q);
    EXPECT_EQ(table.op(memory, pub::kGnttabOpQuerySize, BufferGuestMemory::kBase, 1), 0);
    memory.read(BufferGuestMemory::kBase, q);
    EXPECT_EQ(q.nr_frames, 2u);
    EXPECT_EQ(q.max_nr_frames, GrantTable::kMaxFrames);
    EXPECT_EQ(q.status, 0);
    // Another domain's table: a status, not a hypercall failure.
    pub::gnttab_query_size other{9, 0, 0, 0};
    memory.write(BufferGuestMemory::kBase, other);
    EXPECT_EQ(table.op(memory, pub::kGnttabOpQuerySize, BufferGuestMemory::kBase, 1), 0);
    memory.read(BufferGuestMemory::kBase, other);
    EXPECT_EQ(other.status, -2);  // GNTST_bad_domain
}

TEST(GrantTable, VersionOneOnlyAndBadArgumentsAreRefused) {
    GrantTable table(0);
    BufferGuestMemory memory{256};
    pub::gnttab_set_version v2{2};
    memory.write(BufferGuestMemory::kBase, v2);
    EXPECT_EQ(table.op(memory, pub::kGnttabOpSetVersion, BufferGuestMemory::kBase, 1), kEinval);
    pub::gnttab_set_version v1{1};
    memory.write(BufferGuestMemory::kBase, v1);
    EXPECT_EQ(table.op(memory, pub::kGnttabOpSetVersion, BufferGuestMemory::kBase, 1), 0);
    pub::gnttab_get_version g{pub::kDomidSelf, 0, 0};
    memory.write(BufferGuestMemory::kBase, g);
    EXPECT_EQ(table.op(memory, pub::kGnttabOpGetVersion, BufferGuestMemory::kBase, 1), 0);
    memory.read(BufferGuestMemory::kBase, g);
    EXPECT_EQ(g.version, 1u);
    EXPECT_EQ(table.op(memory, pub::kGnttabOpQuerySize, 0x10, 1), kEfault);
    EXPECT_EQ(table.op(memory, pub::kGnttabOpQuerySize, BufferGuestMemory::kBase, 100), kEfault);
    EXPECT_EQ(table.op(memory, pub::kGnttabOpQuerySize, BufferGuestMemory::kBase, 100000), kEinval);
    EXPECT_EQ(table.op(memory, pub::kGnttabOpQuerySize, BufferGuestMemory::kBase, 0), 0);
    EXPECT_EQ(table.op(memory, pub::kGnttabOpMapGrantRef, BufferGuestMemory::kBase, 1), kEnosys);
}

}  // namespace
}  // namespace tern::hv
