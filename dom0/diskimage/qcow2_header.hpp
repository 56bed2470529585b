// Defines Qcow2Header: the qcow2 header (versions 2 and 3) with the header extensions Tern
// understands (backing file format; others are kept opaque), parsed from and serialised to the
// first cluster of an image.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace tern::dom0::diskimage {

struct Qcow2Extension {
    std::uint32_t type = 0;
    std::vector<std::byte> data;
};

struct Qcow2Header {
    std::uint32_t version = 3;
    std::uint32_t cluster_bits = 16;
    std::uint64_t size = 0;
    std::uint32_t crypt_method = 0;
    std::uint32_t l1_size = 0;
    std::uint64_t l1_table_offset = 0;
    std::uint64_t refcount_table_offset = 0;
    std::uint32_t refcount_table_clusters = 0;
    std::uint32_t nb_snapshots = 0;
    std::uint64_t snapshots_offset = 0;
    std::uint64_t incompatible_features = 0;
    std::uint64_t compatible_features = 0;
    std::uint64_t autoclear_features = 0;
    std::uint32_t refcount_order = 4;
    std::uint32_t header_length = 112;
    std::optional<std::string> backing_file;
    std::optional<std::string> backing_format;     // the backing-format extension
    std::vector<Qcow2Extension> other_extensions;  // kept when the header is rewritten

    [[nodiscard]] std::uint64_t cluster_size() const { return std::uint64_t{1} << cluster_bits; }
    [[nodiscard]] std::uint32_t refcount_bits() const { return 1u << refcount_order; }

    // Bytes needed to parse the header: the cluster size (header, extensions and backing file
    // name live in the first cluster). Throws when the first 32 bytes are not a qcow2 header.
    [[nodiscard]] static std::size_t bytes_to_read(std::span<const std::byte> first_bytes,
                                                   const std::filesystem::path& file);
    // Parses and validates the header; `bytes` is the first cluster of the file (or less
    // if the file is shorter). Throws ImageError naming `file` on anything malformed or
    // unsupported.
    [[nodiscard]] static Qcow2Header parse(std::span<const std::byte> bytes,
                                           const std::filesystem::path& file);
    // Serialises into one cluster: header, extensions (backing format, the kept ones, end
    // marker), then the backing file name. Throws if it does not fit.
    [[nodiscard]] std::vector<std::byte> serialise(const std::filesystem::path& file) const;
};

}  // namespace tern::dom0::diskimage
