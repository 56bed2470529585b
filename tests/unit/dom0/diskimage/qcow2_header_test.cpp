// Tests parsing and serialising the qcow2 header: round trips, version 2, and rejection of
// malformed or unsupported headers with messages that name the file.
#include "diskimage/qcow2_header.hpp"

#include <gtest/gtest.h>

#include "diskimage/big_endian.hpp"
#include "diskimage/image_error.hpp"
#include "diskimage/qcow2_format.hpp"

namespace tern::dom0::diskimage {
namespace {

namespace f = qcow2::field;

Qcow2Header sample() {
    Qcow2Header h;
    h.cluster_bits = 16;
    h.size = 10ULL << 30;
    h.l1_size = 20;
    h.l1_table_offset = 0x30000;
    h.refcount_table_offset = 0x10000;
    h.refcount_table_clusters = 1;
    h.backing_file = "base image.qcow2";
    h.backing_format = "qcow2";
    h.compatible_features = qcow2::kCompatLazyRefcounts;
    return h;
}

std::string error_of(std::span<const std::byte> bytes) {
    try {
        (void)Qcow2Header::parse(bytes, "img.qcow2");
    } catch (const ImageError& e) {
        return e.what();
    }
    return "";
}

TEST(Qcow2Header, RoundTripsThroughItsOnDiskForm) {
    const Qcow2Header h = sample();
    const std::vector<std::byte> raw = h.serialise("img.qcow2");
    ASSERT_EQ(raw.size(), 65536u);
    EXPECT_EQ(load_be32(raw, f::kMagic), qcow2::kMagic);
    EXPECT_EQ(load_be32(raw, f::kHeaderLength), 112u);
    const Qcow2Header back = Qcow2Header::parse(raw, "img.qcow2");
    EXPECT_EQ(back.version, 3u);
    EXPECT_EQ(back.size, h.size);
    EXPECT_EQ(back.l1_size, 20u);
    EXPECT_EQ(back.l1_table_offset, 0x30000u);
    EXPECT_EQ(back.refcount_order, 4u);
    EXPECT_EQ(back.backing_file, h.backing_file);
    EXPECT_EQ(back.backing_format, h.backing_format);
    EXPECT_EQ(back.compatible_features, qcow2::kCompatLazyRefcounts);
}

TEST(Qcow2Header, BackingNameFollowsTheExtensions) {
    const std::vector<std::byte> raw = sample().serialise("img.qcow2");
    const std::uint64_t name_offset = load_be64(raw, f::kBackingFileOffset);
    // 112-byte header, backing-format extension (8 + 8), end marker (8).
    EXPECT_EQ(name_offset, 112u + 16 + 8);
    EXPECT_EQ(load_be32(raw, 112), qcow2::kExtBackingFormat);
    EXPECT_EQ(load_be32(raw, f::kBackingFileSize), 16u);
}

TEST(Qcow2Header, UnknownExtensionsAreKept) {
    Qcow2Header h = sample();
    h.other_extensions.push_back({0x12345678, {std::byte{1}, std::byte{2}, std::byte{3}}});
    const Qcow2Header back = Qcow2Header::parse(h.serialise("x"), "x");
    ASSERT_EQ(back.other_extensions.size(), 1u);
    EXPECT_EQ(back.other_extensions[0].type, 0x12345678u);
    EXPECT_EQ(back.other_extensions[0].data.size(), 3u);
}

TEST(Qcow2Header, ParsesVersion2) {
    Qcow2Header h = sample();
    h.version = 2;
    h.backing_format.reset();
    h.compatible_features = 0;
    h.header_length = 72;
    const Qcow2Header back = Qcow2Header::parse(h.serialise("v2"), "v2");
    EXPECT_EQ(back.version, 2u);
    EXPECT_EQ(back.refcount_order, 4u);
    EXPECT_EQ(back.header_length, 72u);
    EXPECT_EQ(back.backing_file, h.backing_file);
}

TEST(Qcow2Header, RejectsBadMagic) {
    std::vector<std::byte> raw = sample().serialise("x");
    raw[0] = std::byte{0};
    EXPECT_NE(error_of(raw).find("img.qcow2: not a qcow2 image"), std::string::npos);
}

}  // namespace
}  // namespace tern::dom0::diskimage

namespace tern::dom0::diskimage {
namespace {

struct Corruption {
    const char* name;
    std::size_t field;
    std::uint64_t value;
    int width;
    const char* message;
};

class Qcow2HeaderRejects : public ::testing::TestWithParam<Corruption> {};

TEST_P(Qcow2HeaderRejects, WithAMessageNamingTheProblem) {
    const Corruption& c = GetParam();
    std::vector<std::byte> raw = sample().serialise("x");
    if (c.width == 4) {
        store_be32(raw, c.field, static_cast<std::uint32_t>(c.value));
    } else {
        store_be64(raw, c.field, c.value);
    }
    const std::string error = error_of(raw);
    EXPECT_NE(error.find("img.qcow2: "), std::string::npos) << error;
    EXPECT_NE(error.find(c.message), std::string::npos) << error;
}

INSTANTIATE_TEST_SUITE_P(
    Fields, Qcow2HeaderRejects,
    ::testing::Values(
        Corruption{"version", f::kVersion, 4, 4, "version 4 is not supported"},
        Corruption{"cluster_bits", f::kClusterBits, 30, 4, "cluster bits 30"},
        Corruption{"crypt", f::kCryptMethod, 1, 4, "encrypted"},
        Corruption{"extended_l2", f::kIncompatibleFeatures, qcow2::kIncompatExtendedL2, 8,
                   "extended-l2"},
        Corruption{"external_data", f::kIncompatibleFeatures, qcow2::kIncompatExternalData, 8,
                   "external-data-file"},
        Corruption{"refcount_order", f::kRefcountOrder, 7, 4, "refcount order 7"},
        Corruption{"l1_small", f::kL1Size, 1, 4, "too small"},
        Corruption{"l1_unaligned", f::kL1TableOffset, 0x30001, 8, "not cluster aligned"},
        Corruption{"refcount_unaligned", f::kRefcountTableOffset, 0x100, 8,
                   "refcount table offset"},
        Corruption{"refcount_clusters", f::kRefcountTableClusters, 0, 4, "refcount table of 0"},
        Corruption{"header_length", f::kHeaderLength, 99, 4, "header length 99"},
        Corruption{"backing_offset", f::kBackingFileOffset, 65530, 8, "outside the first cluster"},
        Corruption{"backing_size", f::kBackingFileSize, 5000, 4, "outside the first cluster"},
        Corruption{"extension_length", 116, 0xffff0000, 4, "overruns the header"}),
    [](const ::testing::TestParamInfo<Corruption>& info) { return info.param.name; });

TEST(Qcow2Header, ShortInputReadsAsZerosAndFailsCleanly) {
    std::vector<std::byte> raw = sample().serialise("x");
    raw.resize(40);
    EXPECT_NE(error_of(raw), "");
}

}  // namespace
}  // namespace tern::dom0::diskimage
