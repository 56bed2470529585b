// Tests the big-endian load and store helpers.
#include "diskimage/big_endian.hpp"

#include <gtest/gtest.h>

#include <array>

namespace tern::dom0::diskimage {
namespace {

TEST(BigEndian, StoresMostSignificantByteFirst) {
    std::array<std::byte, 8> bytes{};
    store_be32(bytes, 2, 0x514649fb);
    EXPECT_EQ(bytes[2], std::byte{0x51});
    EXPECT_EQ(bytes[5], std::byte{0xfb});
    EXPECT_EQ(load_be32(bytes, 2), 0x514649fbu);
}

TEST(BigEndian, RoundTripsEveryWidth) {
    std::array<std::byte, 16> bytes{};
    store_be64(bytes, 0, 0x0123456789abcdefULL);
    store_be16(bytes, 8, 0xbeef);
    EXPECT_EQ(load_be64(bytes, 0), 0x0123456789abcdefULL);
    EXPECT_EQ(load_be16(bytes, 8), 0xbeef);
    EXPECT_EQ(bytes[0], std::byte{0x01});
    EXPECT_EQ(bytes[7], std::byte{0xef});
}

}  // namespace
}  // namespace tern::dom0::diskimage
