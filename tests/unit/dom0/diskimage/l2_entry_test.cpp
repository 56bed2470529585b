// Tests the decoding of qcow2 L2 entries: flags, zero clusters, compressed descriptors.
#include <gtest/gtest.h>

#include "diskimage/qcow2_format.hpp"

namespace tern::dom0::diskimage::qcow2 {
namespace {

TEST(L2Entry, ZeroIsUnallocated) {
    const L2Entry e = decode_l2_entry(0, 16, 3);
    EXPECT_EQ(e.kind, ClusterKind::kUnallocated);
    EXPECT_FALSE(e.copied);
}

TEST(L2Entry, NormalClusterWithCopiedFlag) {
    const L2Entry e = decode_l2_entry(encode_normal_l2_entry(0x50000), 16, 3);
    EXPECT_EQ(e.kind, ClusterKind::kNormal);
    EXPECT_EQ(e.host_offset, 0x50000u);
    EXPECT_TRUE(e.copied);
    EXPECT_EQ(decode_l2_entry(0x50000, 16, 3).copied, false);
}

TEST(L2Entry, ZeroFlagOnlyInVersion3) {
    const L2Entry plain_zero = decode_l2_entry(kOflagZero, 16, 3);
    EXPECT_EQ(plain_zero.kind, ClusterKind::kZero);
    EXPECT_FALSE(plain_zero.zero_with_allocation);
    const L2Entry allocated_zero = decode_l2_entry(0x30000 | kOflagZero | kOflagCopied, 16, 3);
    EXPECT_EQ(allocated_zero.kind, ClusterKind::kZero);
    EXPECT_TRUE(allocated_zero.zero_with_allocation);
    EXPECT_EQ(allocated_zero.host_offset, 0x30000u);
    // Version 2 has no zero flag: bit 0 is ignored.
    EXPECT_EQ(decode_l2_entry(0x30000 | kOflagZero, 16, 2).kind, ClusterKind::kNormal);
}

TEST(L2Entry, OffsetBitsAboveFiftyFiveAreNotOffset) {
    const L2Entry e = decode_l2_entry(kOflagCopied | 0x00ff000000010000ULL, 16, 3);
    EXPECT_EQ(e.host_offset, 0x00ff000000010000ULL);
}

class CompressedEntry : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(CompressedEntry, RoundTripsOffsetAndCoversTheBytes) {
    const std::uint32_t cluster_bits = GetParam();
    for (const std::uint64_t offset :
         {std::uint64_t{0x12345}, std::uint64_t{0x200}, std::uint64_t{0x10000001ff}}) {
        // Compressed data is stored only when it is smaller than a cluster.
        const std::uint64_t cluster = std::uint64_t{1} << cluster_bits;
        for (const std::uint64_t bytes :
             {std::uint64_t{1}, std::uint64_t{100}, cluster / 2, cluster - 1}) {
            const std::uint64_t raw = encode_compressed_l2_entry(offset, bytes, cluster_bits);
            const L2Entry e = decode_l2_entry(raw, cluster_bits, 3);
            ASSERT_EQ(e.kind, ClusterKind::kCompressed);
            EXPECT_EQ(e.host_offset, offset);
            EXPECT_GE(e.compressed_bytes, bytes);
            // The descriptor counts whole sectors: the end lies at most one sector past.
            EXPECT_LT(e.compressed_bytes, bytes + 512);
            EXPECT_EQ((offset + e.compressed_bytes) % 512, 0u);
            EXPECT_FALSE(e.copied);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(ClusterSizes, CompressedEntry, ::testing::Values(9u, 12u, 16u, 21u));

TEST(L2Entry, CompressedFieldLayoutFor64KClusters) {
    // x = 62 - (16 - 8) = 54: offset in bits 0..53, additional sectors in 54..61.
    const std::uint64_t raw = kOflagCompressed | (std::uint64_t{3} << 54) | 0x1000;
    const L2Entry e = decode_l2_entry(raw, 16, 3);
    EXPECT_EQ(e.host_offset, 0x1000u);
    EXPECT_EQ(e.compressed_bytes, 4u * 512);
}

}  // namespace
}  // namespace tern::dom0::diskimage::qcow2
