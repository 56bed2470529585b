// Implements parsing and serialising the qcow2 header.
#include "diskimage/qcow2_header.hpp"

#include <algorithm>
#include <cstring>

#include "diskimage/big_endian.hpp"
#include "diskimage/image_error.hpp"
#include "diskimage/qcow2_format.hpp"

namespace tern::dom0::diskimage {
namespace {

namespace f = qcow2::field;

std::string hex(std::uint64_t value) {
    char text[24];
    std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
    return text;
}

std::uint64_t align_up(std::uint64_t value, std::uint64_t alignment) {
    return (value + alignment - 1) / alignment * alignment;
}

}  // namespace

std::size_t Qcow2Header::bytes_to_read(std::span<const std::byte> first_bytes,
                                       const std::filesystem::path& file) {
    if (first_bytes.size() < 32 || load_be32(first_bytes, f::kMagic) != qcow2::kMagic) {
        throw ImageError(file, "not a qcow2 image (bad magic)");
    }
    const std::uint32_t cluster_bits = load_be32(first_bytes, f::kClusterBits);
    if (cluster_bits < qcow2::kMinClusterBits || cluster_bits > qcow2::kMaxClusterBits) {
        throw ImageError(
            file, "cluster bits " + std::to_string(cluster_bits) + " outside the supported 9..21");
    }
    return std::size_t{1} << cluster_bits;
}

Qcow2Header Qcow2Header::parse(std::span<const std::byte> bytes,
                               const std::filesystem::path& file) {
    const std::size_t cluster_size = bytes_to_read(bytes, file);
    // Shorter input reads as zeros past its end, as the file would.
    std::vector<std::byte> buffer(cluster_size);
    std::copy_n(bytes.begin(), std::min(bytes.size(), cluster_size), buffer.begin());
    const std::span<const std::byte> b(buffer);

    Qcow2Header h;
    h.version = load_be32(b, f::kVersion);
    if (h.version != 2 && h.version != 3) {
        throw ImageError(
            file, "qcow2 version " + std::to_string(h.version) + " is not supported (2 and 3 are)");
    }
    const std::uint64_t backing_offset = load_be64(b, f::kBackingFileOffset);
    const std::uint32_t backing_size = load_be32(b, f::kBackingFileSize);
    h.cluster_bits = load_be32(b, f::kClusterBits);
    h.size = load_be64(b, f::kSize);
    h.crypt_method = load_be32(b, f::kCryptMethod);
    h.l1_size = load_be32(b, f::kL1Size);
    h.l1_table_offset = load_be64(b, f::kL1TableOffset);
    h.refcount_table_offset = load_be64(b, f::kRefcountTableOffset);
    h.refcount_table_clusters = load_be32(b, f::kRefcountTableClusters);
    h.nb_snapshots = load_be32(b, f::kNbSnapshots);
    h.snapshots_offset = load_be64(b, f::kSnapshotsOffset);
    if (h.version == 2) {
        h.refcount_order = qcow2::kDefaultRefcountOrder;
        h.header_length = qcow2::kV2HeaderLength;
    } else {
        h.incompatible_features = load_be64(b, f::kIncompatibleFeatures);
        h.compatible_features = load_be64(b, f::kCompatibleFeatures);
        h.autoclear_features = load_be64(b, f::kAutoclearFeatures);
        h.refcount_order = load_be32(b, f::kRefcountOrder);
        h.header_length = load_be32(b, f::kHeaderLength);
        if (h.header_length < qcow2::kV3HeaderLength || h.header_length % 8 != 0 ||
            h.header_length > cluster_size) {
            throw ImageError(file,
                             "header length " + std::to_string(h.header_length) + " is invalid");
        }
        if (h.header_length > f::kCompressionType &&
            std::to_integer<int>(b[f::kCompressionType]) != 0) {
            throw ImageError(file,
                             "compression type " +
                                 std::to_string(std::to_integer<int>(b[f::kCompressionType])) +
                                 " is not supported (zlib is)");
        }
    }

    const std::uint64_t cs = h.cluster_size();
    if (h.crypt_method != 0) {
        throw ImageError(file, "encrypted images are not supported");
    }
    const std::uint64_t unknown = h.incompatible_features & ~qcow2::kIncompatKnown;
    if (unknown != 0) {
        std::string names;
        if (unknown & qcow2::kIncompatExternalData)
            names += " external-data-file";
        if (unknown & qcow2::kIncompatCompressionType)
            names += " compression-type";
        if (unknown & qcow2::kIncompatExtendedL2)
            names += " extended-l2";
        throw ImageError(file, "unsupported incompatible features " + hex(unknown) + names);
    }
    if (h.refcount_order > 6) {
        throw ImageError(
            file, "refcount order " + std::to_string(h.refcount_order) + " is invalid (0..6)");
    }
    if (h.size > qcow2::kMaxVirtualSize) {
        throw ImageError(file, "virtual size " + std::to_string(h.size) + " is too large");
    }
    if (h.l1_size > qcow2::kMaxL1Entries) {
        throw ImageError(file, "L1 size " + std::to_string(h.l1_size) + " is too large");
    }
    const std::uint64_t l2_entries = cs / 8;
    const std::uint64_t needed_l1 = (h.size + cs * l2_entries - 1) / (cs * l2_entries);
    if (h.l1_size < needed_l1) {
        throw ImageError(file, "L1 table of " + std::to_string(h.l1_size) +
                                   " entries is too small for a virtual size of " +
                                   std::to_string(h.size));
    }
    if (h.l1_size > 0 && (h.l1_table_offset == 0 || h.l1_table_offset % cs != 0)) {
        throw ImageError(file,
                         "L1 table offset " + hex(h.l1_table_offset) + " is not cluster aligned");
    }
    if (h.refcount_table_offset == 0 || h.refcount_table_offset % cs != 0) {
        throw ImageError(file, "refcount table offset " + hex(h.refcount_table_offset) +
                                   " is not cluster aligned");
    }
    if (h.refcount_table_clusters == 0 ||
        h.refcount_table_clusters * cs > qcow2::kMaxRefcountTableBytes) {
        throw ImageError(file, "refcount table of " + std::to_string(h.refcount_table_clusters) +
                                   " clusters is invalid");
    }
    if (h.nb_snapshots > qcow2::kMaxSnapshots) {
        throw ImageError(file, std::to_string(h.nb_snapshots) + " snapshots are too many");
    }
    if (h.nb_snapshots > 0 && h.snapshots_offset % cs != 0) {
        throw ImageError(
            file, "snapshot table offset " + hex(h.snapshots_offset) + " is not cluster aligned");
    }

    // Header extensions, from the end of the header up to the end marker.
    std::size_t pos = h.version == 2 ? qcow2::kV2HeaderLength : h.header_length;
    const std::size_t extensions_end =
        backing_offset != 0 && backing_offset < cluster_size ? backing_offset : cluster_size;
    while (pos + 8 <= extensions_end) {
        const std::uint32_t type = load_be32(b, pos);
        const std::uint32_t length = load_be32(b, pos + 4);
        pos += 8;
        if (type == qcow2::kExtEnd) {
            break;
        }
        if (length > extensions_end - pos) {
            throw ImageError(file, "header extension " + hex(type) + " of " +
                                       std::to_string(length) + " bytes overruns the header");
        }
        const auto data = b.subspan(pos, length);
        if (type == qcow2::kExtBackingFormat) {
            h.backing_format = std::string(reinterpret_cast<const char*>(data.data()), length);
        } else if (type != qcow2::kExtFeatureNameTable) {
            h.other_extensions.push_back({type, {data.begin(), data.end()}});
        }
        pos += static_cast<std::size_t>(align_up(length, 8));
    }

    if (backing_offset != 0) {
        if (backing_size == 0 || backing_size > qcow2::kMaxBackingNameLength ||
            backing_offset > cluster_size || backing_size > cluster_size - backing_offset) {
            throw ImageError(file, "backing file name at " + hex(backing_offset) + " of " +
                                       std::to_string(backing_size) +
                                       " bytes is outside the first cluster");
        }
        h.backing_file =
            std::string(reinterpret_cast<const char*>(b.data() + backing_offset), backing_size);
    }
    return h;
}

std::vector<std::byte> Qcow2Header::serialise(const std::filesystem::path& file) const {
    const std::size_t cs = cluster_size();
    std::vector<std::byte> out(cs);
    const std::span<std::byte> b(out);
    store_be32(b, f::kMagic, qcow2::kMagic);
    store_be32(b, f::kVersion, version);
    store_be32(b, f::kClusterBits, cluster_bits);
    store_be64(b, f::kSize, size);
    store_be32(b, f::kCryptMethod, crypt_method);
    store_be32(b, f::kL1Size, l1_size);
    store_be64(b, f::kL1TableOffset, l1_table_offset);
    store_be64(b, f::kRefcountTableOffset, refcount_table_offset);
    store_be32(b, f::kRefcountTableClusters, refcount_table_clusters);
    store_be32(b, f::kNbSnapshots, nb_snapshots);
    store_be64(b, f::kSnapshotsOffset, snapshots_offset);
    std::size_t pos = qcow2::kV2HeaderLength;
    if (version >= 3) {
        store_be64(b, f::kIncompatibleFeatures, incompatible_features);
        store_be64(b, f::kCompatibleFeatures, compatible_features);
        store_be64(b, f::kAutoclearFeatures, autoclear_features);
        store_be32(b, f::kRefcountOrder, refcount_order);
        store_be32(b, f::kHeaderLength, header_length);
        pos = header_length;
    }
    auto put_extension = [&](std::uint32_t type, std::span<const std::byte> data) {
        if (pos + 8 + align_up(data.size(), 8) + 8 > cs) {
            throw ImageError(file, "header extensions do not fit in the first cluster");
        }
        store_be32(b, pos, type);
        store_be32(b, pos + 4, static_cast<std::uint32_t>(data.size()));
        std::copy(data.begin(), data.end(), b.begin() + static_cast<std::ptrdiff_t>(pos + 8));
        pos += 8 + static_cast<std::size_t>(align_up(data.size(), 8));
    };
    if (backing_format) {
        put_extension(qcow2::kExtBackingFormat, std::as_bytes(std::span(*backing_format)));
    }
    for (const Qcow2Extension& ext : other_extensions) {
        put_extension(ext.type, ext.data);
    }
    store_be32(b, pos, qcow2::kExtEnd);
    store_be32(b, pos + 4, 0);
    pos += 8;
    if (backing_file) {
        if (backing_file->empty() || backing_file->size() > qcow2::kMaxBackingNameLength ||
            pos + backing_file->size() > cs) {
            throw ImageError(file, "backing file name \"" + *backing_file +
                                       "\" is empty, too long or does not fit in the header");
        }
        std::memcpy(out.data() + pos, backing_file->data(), backing_file->size());
        store_be64(b, f::kBackingFileOffset, pos);
        store_be32(b, f::kBackingFileSize, static_cast<std::uint32_t>(backing_file->size()));
    }
    return out;
}

}  // namespace tern::dom0::diskimage
