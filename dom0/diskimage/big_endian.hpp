// Defines load and store helpers for the big-endian integers of on-disk formats (qcow2).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace tern::dom0::diskimage {

template <typename T>
[[nodiscard]] constexpr T load_be(std::span<const std::byte> bytes, std::size_t offset) {
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        value = static_cast<T>((value << 8) | std::to_integer<T>(bytes[offset + i]));
    }
    return value;
}

template <typename T>
constexpr void store_be(std::span<std::byte> bytes, std::size_t offset, T value) {
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        bytes[offset + sizeof(T) - 1 - i] = static_cast<std::byte>(value & 0xff);
        value = static_cast<T>(value >> 8);
    }
}

[[nodiscard]] constexpr std::uint16_t load_be16(std::span<const std::byte> b, std::size_t off) {
    return load_be<std::uint16_t>(b, off);
}
[[nodiscard]] constexpr std::uint32_t load_be32(std::span<const std::byte> b, std::size_t off) {
    return load_be<std::uint32_t>(b, off);
}
[[nodiscard]] constexpr std::uint64_t load_be64(std::span<const std::byte> b, std::size_t off) {
    return load_be<std::uint64_t>(b, off);
}
constexpr void store_be16(std::span<std::byte> b, std::size_t off, std::uint16_t v) {
    store_be<std::uint16_t>(b, off, v);
}
constexpr void store_be32(std::span<std::byte> b, std::size_t off, std::uint32_t v) {
    store_be<std::uint32_t>(b, off, v);
}
constexpr void store_be64(std::span<std::byte> b, std::size_t off, std::uint64_t v) {
    store_be<std::uint64_t>(b, off, v);
}

}  // namespace tern::dom0::diskimage
