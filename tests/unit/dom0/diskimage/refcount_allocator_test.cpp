// Tests refcount arithmetic: entries of every width, allocation order and reuse, runs that
// need new refcount blocks, and growth of the refcount table.
#include "diskimage/refcount_allocator.hpp"

#include <gtest/gtest.h>

#include "diskimage/image_error.hpp"
#include "diskimage/image_open.hpp"
#include "diskimage/qcow2_image.hpp"
#include "temp_dir_for_test.hpp"

namespace tern::dom0::diskimage {
namespace {

struct Fixture {
    TempDirForTest dir;
    std::filesystem::path path = dir.file("r.qcow2");
    std::unique_ptr<Qcow2Image> image;

    Fixture(std::uint32_t cluster_size, std::uint32_t refcount_bits, std::uint64_t size = 0) {
        Qcow2CreateOptions options;
        options.cluster_size = cluster_size;
        options.refcount_bits = refcount_bits;
        options.virtual_size = size;
        Qcow2Image::create(path, options);
        OpenOptions open;
        open.writable = true;
        image = Qcow2Image::open(path, open);
    }
};

class RefcountWidth : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(RefcountWidth, EntriesHoldEveryValueUpToTheMaximum) {
    const std::uint32_t bits = GetParam();
    Fixture fx(4096, bits);
    const ImageFile file(fx.path, OpenMode::kReadWrite);
    RefcountAllocator refcounts(file, 12, static_cast<std::uint32_t>(std::countr_zero(bits)), 4096,
                                1);
    const std::uint64_t max = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
    EXPECT_EQ(refcounts.max_refcount(), max);
    // Neighbouring entries of narrow widths share bytes: set them apart and together.
    refcounts.set_refcount(10, max);
    refcounts.set_refcount(11, 0);
    refcounts.set_refcount(12, max > 1 ? max - 1 : 1);
    EXPECT_EQ(refcounts.refcount(10), max);
    EXPECT_EQ(refcounts.refcount(11), 0u);
    EXPECT_EQ(refcounts.refcount(12), max > 1 ? max - 1 : 1);
    EXPECT_THROW(refcounts.set_refcount(13, max + 1), ImageError);
    // What was written is on disk: a second allocator over the same file sees it.
    RefcountAllocator reread(file, 12, static_cast<std::uint32_t>(std::countr_zero(bits)), 4096, 1);
    EXPECT_EQ(reread.refcount(10), max);
    EXPECT_EQ(reread.refcount(12), max > 1 ? max - 1 : 1);
    EXPECT_EQ(reread.refcount(0), 1u);  // header
    EXPECT_EQ(reread.refcount(2), 1u);  // refcount block
}

INSTANTIATE_TEST_SUITE_P(Widths, RefcountWidth, ::testing::Values(1u, 2u, 4u, 8u, 16u, 32u));

TEST(RefcountAllocator, AllocatesTheLowestFreeClustersAndReusesFreedOnes) {
    Fixture fx(65536, 16);
    const ImageFile file(fx.path, OpenMode::kReadWrite);
    RefcountAllocator refcounts(file, 16, 4, 65536, 1);
    // Clusters 0..2 hold header, refcount table and block; an empty image has no L1 clusters.
    EXPECT_EQ(refcounts.allocate(1), 3u * 65536);
    EXPECT_EQ(refcounts.allocate(2), 4u * 65536);
    EXPECT_EQ(refcounts.allocate(1), 6u * 65536);
    refcounts.release(4 * 65536, 1);
    EXPECT_EQ(refcounts.refcount(4), 0u);
    EXPECT_EQ(refcounts.allocate(1), 4u * 65536);
    // A run of two does not fit in the hole at 5: it goes after the end.
    refcounts.release(5 * 65536, 1);
    EXPECT_EQ(refcounts.allocate(2), 7u * 65536);
    EXPECT_THROW(refcounts.release(100 * 65536, 1), ImageError);
}

TEST(RefcountAllocator, LongRunsGetTheirRefcountBlocksInFrontOfThem) {
    // 512-byte clusters with 16-bit refcounts: one block describes 256 clusters.
    Fixture fx(512, 16);
    const ImageFile file(fx.path, OpenMode::kReadWrite);
    RefcountAllocator refcounts(file, 9, 4, 512, 1);
    const std::uint64_t first = refcounts.allocate(1000) / 512;
    for (std::uint64_t c = first; c < first + 1000; ++c) {
        ASSERT_EQ(refcounts.refcount(c), 1u) << c;
    }
    // Three new blocks (ranges 1..3) precede the run, which starts at cluster 3 otherwise.
    EXPECT_EQ(first, 3u + 3);
    for (std::uint64_t c = 3; c < first; ++c) {
        EXPECT_EQ(refcounts.refcount(c), 1u) << c;
    }
}

TEST(RefcountAllocator, GrowsTheRefcountTableAndStaysConsistent) {
    // 512-byte clusters: one table cluster of 64 entries covers 64 * 256 = 16384 clusters.
    Fixture fx(512, 16, 64ull << 20);
    std::vector<std::byte> data(512, std::byte{0x5a});
    for (std::uint64_t i = 0; i < 20000; ++i) {
        fx.image->write(i * 512 * 3 % (64ull << 20), data);
    }
    fx.image->flush();
    EXPECT_GT(fx.image->header().refcount_table_clusters, 0u);
    const CheckResult result = fx.image->check(RepairMode::kNone);
    EXPECT_EQ(result.corruptions, 0u) << (result.messages.empty() ? "" : result.messages[0]);
    EXPECT_EQ(result.leaks, 0u);
    fx.image.reset();
    OpenOptions open;
    const auto reopened = Qcow2Image::open(fx.path, open);
    EXPECT_GT(reopened->header().refcount_table_offset, 512u);  // moved from cluster 1
}

}  // namespace
}  // namespace tern::dom0::diskimage
