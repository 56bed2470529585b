// Tests Qcow2Image on temporary files: unaligned reads and writes, persistence across reopen,
// backing chains, zero and compressed clusters, discard, resize, check and repair.
#include "diskimage/qcow2_image.hpp"

#include <gtest/gtest.h>
#include <zlib.h>

#include "diskimage/big_endian.hpp"
#include "diskimage/image_error.hpp"
#include "diskimage/image_open.hpp"
#include "image_bytes_for_test.hpp"
#include "temp_dir_for_test.hpp"

namespace tern::dom0::diskimage {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;

std::unique_ptr<DiskImage> open_rw(const std::filesystem::path& path) {
    OpenOptions options;
    options.writable = true;
    return open_image(path, options);
}

std::unique_ptr<Qcow2Image> create_qcow2(const std::filesystem::path& path, std::uint64_t size,
                                         std::uint32_t cluster_size = 65536,
                                         std::uint32_t version = 3) {
    Qcow2CreateOptions options;
    options.virtual_size = size;
    options.cluster_size = cluster_size;
    options.version = version;
    Qcow2Image::create(path, options);
    OpenOptions open;
    open.writable = true;
    return Qcow2Image::open(path, open);
}

TEST(Qcow2Image, NewImageReadsAsZeros) {
    TempDirForTest dir;
    auto image = create_qcow2(dir.file("a.qcow2"), 10 * kMiB);
    EXPECT_EQ(image->virtual_size(), 10 * kMiB);
    EXPECT_EQ(read_all_for_test(*image, 12345, 100000), std::vector<std::byte>(100000));
    EXPECT_TRUE(image->known_zero(0, 10 * kMiB));
}

TEST(Qcow2Image, UnalignedWritesReadBackAfterReopen) {
    TempDirForTest dir;
    const auto path = dir.file("a.qcow2");
    {
        auto image = create_qcow2(path, 10 * kMiB, 4096);
        image->write(100, pattern_for_test(100, 10000, 1));  // spans three clusters
        image->write(4095, pattern_for_test(4095, 2, 2));    // straddles a boundary
        image->write(9 * kMiB + 7, pattern_for_test(9 * kMiB + 7, 1, 3));
        EXPECT_FALSE(image->known_zero(0, 4096));
    }
    auto image = open_rw(path);
    auto expected = pattern_for_test(100, 10000, 1);
    const auto overlap = pattern_for_test(4095, 2, 2);
    std::copy(overlap.begin(), overlap.end(), expected.begin() + (4095 - 100));
    EXPECT_EQ(read_all_for_test(*image, 100, 10000), expected);
    EXPECT_EQ(read_all_for_test(*image, 9 * kMiB + 7, 1), pattern_for_test(9 * kMiB + 7, 1, 3));
    EXPECT_EQ(read_all_for_test(*image, 0, 100), std::vector<std::byte>(100));
}

TEST(Qcow2Image, RangesBeyondTheVirtualSizeAreRefused) {
    TempDirForTest dir;
    auto image = create_qcow2(dir.file("a.qcow2"), kMiB);
    std::vector<std::byte> buffer(2);
    EXPECT_THROW(image->read(kMiB - 1, buffer), ImageError);
    EXPECT_THROW(image->write(kMiB, std::span(buffer).first(1)), ImageError);
    EXPECT_NO_THROW(image->write(kMiB - 2, buffer));
}

TEST(Qcow2Image, ReadOnlyImagesRefuseWrites) {
    TempDirForTest dir;
    const auto path = dir.file("a.qcow2");
    create_qcow2(path, kMiB).reset();
    auto image = open_image(path, OpenOptions{});
    std::vector<std::byte> buffer(1);
    try {
        image->write(0, buffer);
        FAIL() << "write succeeded";
    } catch (const ImageError& e) {
        EXPECT_NE(std::string(e.what()).find("a.qcow2"), std::string::npos);
    }
}

TEST(Qcow2Image, BackingChainOfAnyDepth) {
    TempDirForTest dir;
    {
        auto base = create_qcow2(dir.file("l0.qcow2"), 4 * kMiB);
        base->write(0, pattern_for_test(0, 4 * kMiB, 0));
    }
    for (int depth = 1; depth <= 6; ++depth) {
        CreateOptions options;
        options.backing_file = "l" + std::to_string(depth - 1) + ".qcow2";
        create_image(dir.file("l" + std::to_string(depth) + ".qcow2"), options);
        auto layer = open_rw(dir.file("l" + std::to_string(depth) + ".qcow2"));
        EXPECT_EQ(layer->virtual_size(), 4 * kMiB);
        layer->write(depth * 300000, pattern_for_test(depth * 300000, 1000, depth));
    }
    auto top = open_rw(dir.file("l6.qcow2"));
    auto expected = pattern_for_test(0, 4 * kMiB, 0);
    for (int depth = 1; depth <= 6; ++depth) {
        const auto part = pattern_for_test(depth * 300000, 1000, depth);
        std::copy(part.begin(), part.end(), expected.begin() + depth * 300000);
    }
    EXPECT_EQ(read_all_for_test(*top, 0, 4 * kMiB), expected);
    const ImageInfo info = top->info();
    EXPECT_EQ(info.backing_file, "l5.qcow2");
    EXPECT_EQ(info.backing_format, ImageFormat::kQcow2);
}

TEST(Qcow2Image, BackingLoopIsAnErrorNotARecursion) {
    TempDirForTest dir;
    create_qcow2(dir.file("b.qcow2"), kMiB).reset();
    CreateOptions options;
    options.backing_file = "b.qcow2";
    create_image(dir.file("a.qcow2"), options);
    // Point b at a: a -> b -> a -> ...
    Qcow2Header header;
    {
        const ImageFile file(dir.file("b.qcow2"), OpenMode::kReadWrite);
        std::vector<std::byte> raw(65536);
        file.read_at(0, raw);
        header = Qcow2Header::parse(raw, "b");
        header.backing_file = "a.qcow2";
        header.backing_format = "qcow2";
        file.write_at(0, header.serialise("b"));
    }
    EXPECT_THROW(open_image(dir.file("a.qcow2"), OpenOptions{}), ImageError);
}

TEST(Qcow2Image, DiscardReadsZerosAndFreesClusters) {
    TempDirForTest dir;
    auto image = create_qcow2(dir.file("a.qcow2"), 8 * kMiB);
    image->write(0, pattern_for_test(0, 4 * kMiB, 5));
    image->discard(1000, 3 * kMiB);  // partial first cluster, whole ones, partial last
    auto expected = pattern_for_test(0, 4 * kMiB, 5);
    std::fill(expected.begin() + 1000, expected.begin() + 1000 + 3 * kMiB, std::byte{0});
    EXPECT_EQ(read_all_for_test(*image, 0, 4 * kMiB), expected);
    image->flush();
    const CheckResult result = image->check(RepairMode::kNone);
    EXPECT_EQ(result.leaks, 0u);
    EXPECT_EQ(result.corruptions, 0u);
    EXPECT_EQ(result.allocated_clusters, 64u - 47u);  // 47 whole clusters went
    // Freed clusters are reused rather than growing the file.
    const std::uint64_t size_before = image->info().file_size;
    image->write(5 * kMiB, pattern_for_test(0, 2 * kMiB, 6));
    EXPECT_EQ(image->info().file_size, size_before);
}

TEST(Qcow2Image, DiscardOverABackingFileUsesZeroClusters) {
    TempDirForTest dir;
    {
        auto base = create_qcow2(dir.file("base.qcow2"), kMiB);
        base->write(0, pattern_for_test(0, kMiB, 9));
    }
    CreateOptions options;
    options.backing_file = "base.qcow2";
    create_image(dir.file("top.qcow2"), options);
    auto top = open_rw(dir.file("top.qcow2"));
    top->discard(65536, 65536);
    EXPECT_EQ(read_all_for_test(*top, 65536, 65536), std::vector<std::byte>(65536));
    EXPECT_TRUE(top->known_zero(65536, 65536));
    EXPECT_FALSE(top->known_zero(0, 65536));
    EXPECT_EQ(read_all_for_test(*top, 0, 10), pattern_for_test(0, 10, 9));
}

TEST(Qcow2Image, Version2DiscardOverBackingWritesZeros) {
    TempDirForTest dir;
    {
        auto base = create_qcow2(dir.file("base.qcow2"), kMiB, 65536, 2);
        base->write(0, pattern_for_test(0, kMiB, 9));
    }
    CreateOptions options;
    options.qcow2_version = 2;
    options.backing_file = "base.qcow2";
    create_image(dir.file("top.qcow2"), options);
    auto top = open_rw(dir.file("top.qcow2"));
    top->discard(0, kMiB);
    EXPECT_EQ(read_all_for_test(*top, 0, kMiB), std::vector<std::byte>(kMiB));
}

TEST(Qcow2Image, ResizeGrowsTheL1TableAndKeepsData) {
    TempDirForTest dir;
    const auto path = dir.file("a.qcow2");
    {
        auto image = create_qcow2(path, kMiB, 512);  // one L2 table covers 32 KiB
        image->write(0, pattern_for_test(0, kMiB, 4));
        image->resize(64 * kMiB);
        EXPECT_THROW(image->resize(kMiB), ImageError);
        image->write(63 * kMiB, pattern_for_test(63 * kMiB, kMiB, 5));
    }
    auto image = Qcow2Image::open(path, OpenOptions{});
    EXPECT_EQ(image->virtual_size(), 64 * kMiB);
    EXPECT_GE(image->header().l1_size, 64 * kMiB / (32 * 1024));
    EXPECT_EQ(read_all_for_test(*image, 0, kMiB), pattern_for_test(0, kMiB, 4));
    EXPECT_EQ(read_all_for_test(*image, 63 * kMiB, kMiB), pattern_for_test(63 * kMiB, kMiB, 5));
    const CheckResult result = image->check(RepairMode::kNone);
    EXPECT_EQ(result.leaks + result.corruptions, 0u);
}

// Builds a compressed cluster by hand (raw deflate, as qcow2 stores it) and points an L2 entry
// at it; the image reads it and copies it out on a partial write.
TEST(Qcow2Image, ReadsAndRewritesCompressedClusters) {
    TempDirForTest dir;
    const auto path = dir.file("c.qcow2");
    const auto plain = pattern_for_test(0, 65536, 11);
    std::uint64_t l2_offset = 0;
    {
        auto image = create_qcow2(path, kMiB);
        image->write(0, plain);  // allocates the L2 table and data cluster of guest cluster 0
        image->flush();
        const ImageFile file(path, OpenMode::kReadOnly);
        std::vector<std::byte> l1(8);
        file.read_at(image->header().l1_table_offset, l1);
        l2_offset = load_be64(l1, 0) & qcow2::kOffsetMask;
    }
    // Deflate the cluster and place it after the end of the file, unaligned.
    std::vector<std::byte> compressed(70000);
    z_stream z{};
    ASSERT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -12, 9, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(plain.data()));
    z.avail_in = static_cast<uInt>(plain.size());
    z.next_out = reinterpret_cast<Bytef*>(compressed.data());
    z.avail_out = static_cast<uInt>(compressed.size());
    ASSERT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
    const std::size_t compressed_size = z.total_out;
    deflateEnd(&z);
    {
        const ImageFile file(path, OpenMode::kReadWrite);
        const std::uint64_t host = file.size() + 700;
        file.write_at(host, std::span(compressed).first(compressed_size));
        // The compressed data takes its own clusters; give them a refcount so check is clean.
        RefcountAllocator refcounts(file, 16, 4, 65536, 1);
        for (std::uint64_t c = host / 65536; c <= (host + compressed_size - 1) / 65536; ++c) {
            refcounts.set_refcount(c, refcounts.refcount(c) + 1);
        }
        std::byte raw[8];
        store_be64(raw, 0, qcow2::encode_compressed_l2_entry(host, compressed_size, 16));
        file.write_at(l2_offset + 8, raw);  // guest cluster 1
    }
    OpenOptions open;
    open.writable = true;
    auto image = Qcow2Image::open(path, open);
    EXPECT_EQ(read_all_for_test(*image, 65536, 65536), plain);
    EXPECT_FALSE(image->known_zero(65536, 65536));
    image->write(65536 + 10, pattern_for_test(0, 5, 12));
    auto expected = plain;
    const auto patch = pattern_for_test(0, 5, 12);
    std::copy(patch.begin(), patch.end(), expected.begin() + 10);
    EXPECT_EQ(read_all_for_test(*image, 65536, 65536), expected);
    const CheckResult result = image->check(RepairMode::kNone);
    EXPECT_EQ(result.corruptions, 0u) << (result.messages.empty() ? "" : result.messages[0]);
}

TEST(Qcow2Image, CheckFindsAndRepairsLeaks) {
    TempDirForTest dir;
    const auto path = dir.file("a.qcow2");
    auto image = create_qcow2(path, kMiB);
    image->write(0, pattern_for_test(0, 65536, 1));
    image->flush();
    {
        // Two clusters with a refcount but no reference: what an interrupted write leaves.
        const ImageFile file(path, OpenMode::kReadWrite);
        RefcountAllocator refcounts(file, 16, 4, 65536, 1);
        (void)refcounts.allocate(2);
    }
    image.reset();
    OpenOptions open;
    open.writable = true;
    image = Qcow2Image::open(path, open);
    CheckResult result = image->check(RepairMode::kNone);
    EXPECT_EQ(result.leaks, 2u);
    EXPECT_EQ(result.corruptions, 0u);
    result = image->check(RepairMode::kLeaks);
    EXPECT_EQ(result.leaks_fixed, 2u);
    result = image->check(RepairMode::kNone);
    EXPECT_EQ(result.leaks, 0u);
}

TEST(Qcow2Image, CheckReportsAReferenceWithoutRefcount) {
    TempDirForTest dir;
    const auto path = dir.file("a.qcow2");
    auto image = create_qcow2(path, kMiB);
    image->write(0, pattern_for_test(0, 65536, 1));
    image.reset();
    {
        const ImageFile file(path, OpenMode::kReadWrite);
        RefcountAllocator refcounts(file, 16, 4, 65536, 1);
        refcounts.set_refcount(5, 0);  // the data cluster (header, table, block, L1, L2 first)
    }
    OpenOptions open;
    open.writable = true;
    image = Qcow2Image::open(path, open);
    CheckResult result = image->check(RepairMode::kNone);
    EXPECT_EQ(result.corruptions, 1u);
    ASSERT_FALSE(result.messages.empty());
    EXPECT_NE(result.messages[0].find("cluster 5 has refcount 0 but 1 references"),
              std::string::npos);
    result = image->check(RepairMode::kAll);
    EXPECT_EQ(result.corruptions_fixed, 1u);
    EXPECT_EQ(image->check(RepairMode::kNone).corruptions, 0u);
}

TEST(Qcow2Image, LazyRefcountsMarkTheImageDirtyWhileOpen) {
    TempDirForTest dir;
    const auto path = dir.file("lazy.qcow2");
    CreateOptions options;
    options.virtual_size = kMiB;
    options.lazy_refcounts = true;
    create_image(path, options);
    auto read_flags = [&] {
        const ImageFile file(path, OpenMode::kReadOnly);
        std::byte raw[8];
        file.read_at(qcow2::field::kIncompatibleFeatures, raw);
        return load_be64(raw, 0);
    };
    EXPECT_EQ(read_flags() & qcow2::kIncompatDirty, 0u);
    {
        auto image = open_rw(path);
        EXPECT_NE(read_flags() & qcow2::kIncompatDirty, 0u);
        image->write(0, pattern_for_test(0, 1000, 1));
    }
    EXPECT_EQ(read_flags() & qcow2::kIncompatDirty, 0u);
}

}  // namespace
}  // namespace tern::dom0::diskimage
