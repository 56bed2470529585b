// Defines FdtWriter: builds a flattened device tree (Devicetree Specification v0.4, ch. 5)
// into a caller's buffer, node by node, with no allocation. Every write checks the room left;
// a full buffer is a Status, never an overflow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "tern/status.hpp"

namespace tern::lib {

class FdtWriter {
  public:
    // Room for property names, at the end of the buffer until finish() moves them.
    static constexpr std::size_t kStringsRoom = 4096;

    explicit FdtWriter(std::span<std::uint8_t> buffer);

    Status begin_node(std::string_view name);
    Status end_node();
    Status property(std::string_view name, std::span<const std::uint8_t> value);
    Status property_string(std::string_view name, std::string_view value);
    // Big-endian cells.
    Status property_cells(std::string_view name, std::span<const std::uint32_t> cells);
    Status property_u32(std::string_view name, std::uint32_t value);
    // A 64-bit value as two cells.
    Status property_u64(std::string_view name, std::uint64_t value);

    // Closes the tree and writes the header; the blob's total size.
    Result<std::size_t> finish();

  private:
    Status write_property(std::string_view name, std::span<const std::uint8_t> value,
                          bool terminate);
    Status put32(std::uint32_t value);
    Status put_bytes(const void* data, std::size_t size);
    Status pad4();
    Result<std::uint32_t> string_offset(std::string_view name);

    std::span<std::uint8_t> buf_;
    std::size_t pos_ = 0;            // end of the structure block so far
    std::size_t strings_start_ = 0;  // where the strings scratch area begins
    std::size_t strings_len_ = 0;
    int depth_ = 0;
    Status error_ = Status::ok;
};

}  // namespace tern::lib
