// The device-tree writer. The structure block grows from after the header and the (empty)
// memory reservation map; property names collect in a scratch area at the end of the buffer
// and move behind the structure block when the tree is finished.
#include "lib/fdt_writer.hpp"

#include "lib/fdt_format.hpp"

namespace tern::lib {
namespace {

using namespace fdt_format;
constexpr std::size_t kReserveMapSize = 16;  // one terminating {0, 0} entry

void store_be32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

}  // namespace

FdtWriter::FdtWriter(std::span<std::uint8_t> buffer) : buf_(buffer) {
    if (buf_.size() < kHeaderSize + kReserveMapSize + kStringsRoom + 64) {
        error_ = Status::out_of_range;
        return;
    }
    for (std::size_t i = 0; i < kHeaderSize + kReserveMapSize; ++i)
        buf_[i] = 0;
    pos_ = kHeaderSize + kReserveMapSize;
    strings_start_ = buf_.size() - kStringsRoom;
}

Status FdtWriter::put_bytes(const void* data, std::size_t size) {
    if (error_ != Status::ok)
        return error_;
    if (size > strings_start_ - pos_)
        return error_ = Status::out_of_range;
    const auto* src = static_cast<const std::uint8_t*>(data);
    for (std::size_t i = 0; i < size; ++i)
        buf_[pos_ + i] = src[i];
    pos_ += size;
    return Status::ok;
}

Status FdtWriter::put32(std::uint32_t value) {
    std::uint8_t bytes[4];
    store_be32(bytes, value);
    return put_bytes(bytes, 4);
}

Status FdtWriter::pad4() {
    static constexpr std::uint8_t kZeros[4] = {};
    return put_bytes(kZeros, (4 - pos_ % 4) % 4);
}

Result<std::uint32_t> FdtWriter::string_offset(std::string_view name) {
    // Reuse a name already stored.
    std::size_t at = 0;
    while (at < strings_len_) {
        std::size_t len = 0;
        while (buf_[strings_start_ + at + len] != 0)
            ++len;
        if (std::string_view(reinterpret_cast<const char*>(&buf_[strings_start_ + at]), len) ==
            name) {
            return static_cast<std::uint32_t>(at);
        }
        at += len + 1;
    }
    if (name.size() + 1 > kStringsRoom - strings_len_)
        return Status::out_of_range;
    for (std::size_t i = 0; i < name.size(); ++i)
        buf_[strings_start_ + strings_len_ + i] = name[i];
    buf_[strings_start_ + strings_len_ + name.size()] = 0;
    const auto offset = static_cast<std::uint32_t>(strings_len_);
    strings_len_ += name.size() + 1;
    return offset;
}

Status FdtWriter::begin_node(std::string_view name) {
    if (put32(kBeginNode) != Status::ok)
        return error_;
    static constexpr std::uint8_t kNul = 0;
    if (put_bytes(name.data(), name.size()) != Status::ok || put_bytes(&kNul, 1) != Status::ok) {
        return error_;
    }
    ++depth_;
    return pad4();
}

Status FdtWriter::end_node() {
    if (depth_ == 0)
        return error_ = Status::invalid_argument;
    --depth_;
    return put32(kEndNode);
}

Status FdtWriter::write_property(std::string_view name, std::span<const std::uint8_t> value,
                                 bool terminate) {
    if (error_ != Status::ok)
        return error_;
    if (depth_ == 0)
        return error_ = Status::invalid_argument;
    auto offset = string_offset(name);
    if (!offset.ok())
        return error_ = offset.status();
    static constexpr std::uint8_t kNul = 0;
    const auto length = static_cast<std::uint32_t>(value.size() + (terminate ? 1 : 0));
    if (put32(kProp) != Status::ok || put32(length) != Status::ok ||
        put32(offset.value()) != Status::ok ||
        put_bytes(value.data(), value.size()) != Status::ok ||
        (terminate && put_bytes(&kNul, 1) != Status::ok)) {
        return error_;
    }
    return pad4();
}

Status FdtWriter::property(std::string_view name, std::span<const std::uint8_t> value) {
    return write_property(name, value, false);
}

Status FdtWriter::property_string(std::string_view name, std::string_view value) {
    return write_property(name,
                          std::span<const std::uint8_t>(
                              reinterpret_cast<const std::uint8_t*>(value.data()), value.size()),
                          true);
}

Status FdtWriter::property_cells(std::string_view name, std::span<const std::uint32_t> cells) {
    std::uint8_t bytes[64];
    if (cells.size() > sizeof bytes / 4)
        return error_ = Status::invalid_argument;
    for (std::size_t i = 0; i < cells.size(); ++i)
        store_be32(bytes + 4 * i, cells[i]);
    return property(name, std::span<const std::uint8_t>(bytes, cells.size() * 4));
}

Status FdtWriter::property_u32(std::string_view name, std::uint32_t value) {
    const std::uint32_t cells[] = {value};
    return property_cells(name, cells);
}

Status FdtWriter::property_u64(std::string_view name, std::uint64_t value) {
    const std::uint32_t cells[] = {static_cast<std::uint32_t>(value >> 32),
                                   static_cast<std::uint32_t>(value)};
    return property_cells(name, cells);
}

Result<std::size_t> FdtWriter::finish() {
    if (error_ != Status::ok)
        return error_;
    if (depth_ != 0)
        return Status::invalid_argument;
    if (put32(kEnd) != Status::ok)
        return error_;
    const std::size_t struct_size = pos_ - (kHeaderSize + kReserveMapSize);
    const std::size_t strings_at = pos_;
    if (strings_len_ > strings_start_ - strings_at)
        return Status::out_of_range;
    for (std::size_t i = 0; i < strings_len_; ++i)
        buf_[strings_at + i] = buf_[strings_start_ + i];
    const std::size_t total = (strings_at + strings_len_ + 7) & ~std::size_t{7};
    for (std::size_t i = strings_at + strings_len_; i < total; ++i)
        buf_[i] = 0;
    std::uint8_t* h = buf_.data();
    store_be32(h + 0, kMagic);
    store_be32(h + 4, static_cast<std::uint32_t>(total));
    store_be32(h + 8, static_cast<std::uint32_t>(kHeaderSize + kReserveMapSize));  // off_dt_struct
    store_be32(h + 12, static_cast<std::uint32_t>(strings_at));                    // off_dt_strings
    store_be32(h + 16, static_cast<std::uint32_t>(kHeaderSize));                   // off_mem_rsvmap
    store_be32(h + 20, 17);                                                        // version
    store_be32(h + 24, 16);  // last_comp_version
    store_be32(h + 28, 0);   // boot_cpuid_phys
    store_be32(h + 32, static_cast<std::uint32_t>(strings_len_));
    store_be32(h + 36, static_cast<std::uint32_t>(struct_size));
    return total;
}

}  // namespace tern::lib
