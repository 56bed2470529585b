// Implements format probing, opening and creating images of either format.
#include "diskimage/image_open.hpp"

#include <array>

#include "diskimage/big_endian.hpp"
#include "diskimage/image_error.hpp"
#include "diskimage/image_file.hpp"
#include "diskimage/qcow2_format.hpp"
#include "diskimage/qcow2_image.hpp"
#include "diskimage/raw_image.hpp"

namespace tern::dom0::diskimage {

std::string_view format_name(ImageFormat format) {
    return format == ImageFormat::kQcow2 ? "qcow2" : "raw";
}

ImageFormat parse_format(std::string_view name, std::string_view what) {
    if (name == "qcow2") {
        return ImageFormat::kQcow2;
    }
    if (name == "raw") {
        return ImageFormat::kRaw;
    }
    throw ImageError(std::string(what),
                     "unknown image format \"" + std::string(name) + "\" (qcow2 or raw)");
}

ImageFormat probe_format(const std::filesystem::path& path) {
    const ImageFile file(path, OpenMode::kReadOnly);
    std::array<std::byte, 4> magic{};
    file.read_at(0, magic);
    return load_be32(magic, 0) == qcow2::kMagic ? ImageFormat::kQcow2 : ImageFormat::kRaw;
}

std::unique_ptr<DiskImage> open_image(const std::filesystem::path& path, const OpenOptions& options,
                                      std::optional<ImageFormat> format, int backing_depth) {
    const ImageFormat actual = format ? *format : probe_format(path);
    if (actual == ImageFormat::kRaw) {
        return RawImage::open(path, options);
    }
    return Qcow2Image::open(path, options, backing_depth);
}

void create_image(const std::filesystem::path& path, const CreateOptions& options) {
    if (options.format == ImageFormat::kRaw) {
        if (options.backing_file) {
            throw ImageError(path, "raw images cannot have a backing file");
        }
        RawImage::create(path, options.virtual_size);
        return;
    }
    Qcow2CreateOptions q;
    q.virtual_size = options.virtual_size;
    q.cluster_size = options.cluster_size;
    q.version = options.qcow2_version;
    q.refcount_bits = options.refcount_bits;
    q.lazy_refcounts = options.lazy_refcounts;
    q.backing_file = options.backing_file;
    q.backing_format = options.backing_format;
    if (options.backing_file) {
        std::filesystem::path backing = *options.backing_file;
        if (backing.is_relative()) {
            backing = path.parent_path() / backing;
        }
        OpenOptions open_options;
        open_options.open_backing = false;
        if (!q.backing_format) {
            q.backing_format = probe_format(backing);
        }
        const std::unique_ptr<DiskImage> base = open_image(backing, open_options, q.backing_format);
        if (q.virtual_size == 0) {
            q.virtual_size = base->virtual_size();
        }
    }
    Qcow2Image::create(path, q);
}

}  // namespace tern::dom0::diskimage
