// Defines helpers shared by the image tests: deterministic byte patterns and whole-image reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "diskimage/disk_image.hpp"

namespace tern::dom0::diskimage {

// Bytes that depend on their position and a seed, so misplaced data is noticed.
inline std::vector<std::byte> pattern_for_test(std::uint64_t offset, std::size_t length,
                                               std::uint32_t seed) {
    std::vector<std::byte> bytes(length);
    for (std::size_t i = 0; i < length; ++i) {
        const std::uint64_t x = (offset + i) * 2654435761u + seed * 40503u;
        bytes[i] = static_cast<std::byte>((x >> 13) & 0xff);
    }
    return bytes;
}

inline std::vector<std::byte> read_all_for_test(DiskImage& image, std::uint64_t offset,
                                                std::size_t length) {
    std::vector<std::byte> bytes(length);
    image.read(offset, bytes);
    return bytes;
}

}  // namespace tern::dom0::diskimage
