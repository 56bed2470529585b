// Defines the constants of the flattened device-tree format (Devicetree Specification v0.4,
// ch. 5) that the reader and the writer share.
#pragma once

#include <cstdint>

namespace tern::lib::fdt_format {

inline constexpr std::uint32_t kMagic = 0xd00dfeed;
inline constexpr std::uint32_t kBeginNode = 1;
inline constexpr std::uint32_t kEndNode = 2;
inline constexpr std::uint32_t kProp = 3;
inline constexpr std::uint32_t kNop = 4;
inline constexpr std::uint32_t kEnd = 9;
inline constexpr std::uint32_t kHeaderSize = 40;

constexpr std::uint32_t align4(std::uint32_t v) {
    return (v + 3u) & ~3u;
}

}  // namespace tern::lib::fdt_format
