// Implements Qcow2Image::create: an empty image of three clusters (header, refcount table, one
// refcount block), then grown to its virtual size through resize, which lays out the L1 table.
#include <bit>

#include "diskimage/big_endian.hpp"
#include "diskimage/image_error.hpp"
#include "diskimage/qcow2_image.hpp"

namespace tern::dom0::diskimage {

void Qcow2Image::create(const std::filesystem::path& path, const Qcow2CreateOptions& options) {
    const std::uint32_t cs = options.cluster_size;
    if (!std::has_single_bit(cs) || cs < (1u << qcow2::kMinClusterBits) ||
        cs > (1u << qcow2::kMaxClusterBits)) {
        throw ImageError(
            path, "cluster size " + std::to_string(cs) + " must be a power of two from 512 to 2M");
    }
    if (options.version != 2 && options.version != 3) {
        throw ImageError(path, "qcow2 version " + std::to_string(options.version) +
                                   " cannot be created (2 or 3)");
    }
    if (!std::has_single_bit(options.refcount_bits) || options.refcount_bits > 64 ||
        (options.version == 2 && options.refcount_bits != 16)) {
        throw ImageError(path, "refcount bits " + std::to_string(options.refcount_bits) +
                                   " must be a power of two up to 64 (16 for version 2)");
    }
    if (options.version == 2 && options.lazy_refcounts) {
        throw ImageError(path, "lazy refcounts need qcow2 version 3");
    }
    if (options.virtual_size > qcow2::kMaxVirtualSize) {
        throw ImageError(path,
                         "virtual size " + std::to_string(options.virtual_size) + " is too large");
    }

    Qcow2Header header;
    header.version = options.version;
    header.cluster_bits = static_cast<std::uint32_t>(std::countr_zero(cs));
    header.refcount_order = static_cast<std::uint32_t>(std::countr_zero(options.refcount_bits));
    header.header_length =
        options.version == 2 ? qcow2::kV2HeaderLength : qcow2::kV3WrittenHeaderLength;
    header.refcount_table_offset = cs;
    header.refcount_table_clusters = 1;
    header.compatible_features = options.lazy_refcounts ? qcow2::kCompatLazyRefcounts : 0;
    header.backing_file = options.backing_file;
    if (options.backing_format) {
        header.backing_format = std::string(format_name(*options.backing_format));
    }

    std::vector<std::byte> image = header.serialise(path);
    image.resize(3 * std::size_t{cs});
    const std::span<std::byte> bytes(image);
    store_be64(bytes, cs, 2 * std::uint64_t{cs});  // refcount table entry 0: block at cluster 2
    // Clusters 0, 1 and 2 are in use, each once.
    for (std::uint64_t cluster = 0; cluster < 3; ++cluster) {
        const std::uint64_t bit = cluster * options.refcount_bits;
        if (options.refcount_bits >= 8) {
            const std::size_t width = options.refcount_bits / 8;
            bytes[2 * std::size_t{cs} + bit / 8 + width - 1] = std::byte{1};
        } else {
            bytes[2 * std::size_t{cs} + bit / 8] |= static_cast<std::byte>(1u << (bit % 8));
        }
    }
    {
        ImageFile file = ImageFile::create(path);
        file.write_at(0, image);
        file.sync();
    }
    OpenOptions open_options;
    open_options.writable = true;
    open_options.open_backing = false;
    std::unique_ptr<Qcow2Image> created = open(path, open_options);
    created->resize(round_virtual_size(options.virtual_size));
}

}  // namespace tern::dom0::diskimage
