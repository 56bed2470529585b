// Implements RawImage.
#include "diskimage/raw_image.hpp"

#include <string>

#include "diskimage/image_error.hpp"

namespace tern::dom0::diskimage {

RawImage::RawImage(ImageFile file) : file_(std::move(file)), size_(file_.size()) {}

void RawImage::create(const std::filesystem::path& path, std::uint64_t virtual_size) {
    ImageFile file = ImageFile::create(path);
    file.truncate(virtual_size);
    file.sync();
}

std::unique_ptr<RawImage> RawImage::open(const std::filesystem::path& path,
                                         const OpenOptions& options) {
    ImageFile file(path, options.writable ? OpenMode::kReadWrite : OpenMode::kReadOnly);
    file.lock(!options.lock      ? ImageLock::kNone
              : options.writable ? ImageLock::kWriter
                                 : ImageLock::kReader);
    return std::make_unique<RawImage>(std::move(file));
}

ImageInfo RawImage::info() const {
    ImageInfo info;
    info.format = ImageFormat::kRaw;
    info.virtual_size = size_;
    info.file_size = file_.size();
    info.allocated_bytes = file_.allocated_bytes();
    return info;
}

void RawImage::check_range(std::uint64_t offset, std::uint64_t length,
                           const char* operation) const {
    if (offset > size_ || length > size_ - offset) {
        throw ImageError(path(), std::string(operation) + " of " + std::to_string(length) +
                                     " bytes at " + std::to_string(offset) +
                                     " is beyond the virtual size " + std::to_string(size_));
    }
}

void RawImage::read(std::uint64_t offset, std::span<std::byte> out) {
    check_range(offset, out.size(), "read");
    file_.read_at(offset, out);
}

void RawImage::write(std::uint64_t offset, std::span<const std::byte> data) {
    check_range(offset, data.size(), "write");
    if (!file_.writable()) {
        throw ImageError(path(), "write to an image opened read-only");
    }
    file_.write_at(offset, data);
}

void RawImage::discard(std::uint64_t offset, std::uint64_t length) {
    check_range(offset, length, "discard");
    if (!file_.writable()) {
        throw ImageError(path(), "discard on an image opened read-only");
    }
    file_.punch_hole(offset, length);
}

void RawImage::flush() {
    if (file_.writable()) {
        file_.sync();
    }
}

void RawImage::resize(std::uint64_t new_size) {
    if (new_size < size_) {
        throw ImageError(path(), "shrinking from " + std::to_string(size_) + " to " +
                                     std::to_string(new_size) + " bytes is not supported");
    }
    if (!file_.writable()) {
        throw ImageError(path(), "resize of an image opened read-only");
    }
    file_.truncate(new_size);
    size_ = new_size;
}

bool RawImage::known_zero(std::uint64_t offset, std::uint64_t length) {
    check_range(offset, length, "block status");
    if (length == 0) {
        return true;
    }
    // A hole covering the whole range reads as zeros.
    const std::optional<std::uint64_t> data = file_.next_data(offset);
    return !data || *data >= offset + length;
}

}  // namespace tern::dom0::diskimage
