// Implements copy_contents and create_overlay.
#include "diskimage/image_copy.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "diskimage/image_error.hpp"

namespace tern::dom0::diskimage {

bool copy_contents(DiskImage& from, DiskImage& to, const CopyProgress& progress) {
    const std::uint64_t size = from.virtual_size();
    if (to.virtual_size() < size) {
        throw ImageError(to.path(), "destination of " + std::to_string(to.virtual_size()) +
                                        " bytes is smaller than the source's " +
                                        std::to_string(size));
    }
    constexpr std::uint64_t kChunk = 1 << 20;
    std::vector<std::byte> buffer(kChunk);
    for (std::uint64_t offset = 0; offset < size; offset += kChunk) {
        const std::uint64_t length = std::min(kChunk, size - offset);
        if (!from.known_zero(offset, length)) {
            const std::span<std::byte> chunk = std::span(buffer).first(length);
            from.read(offset, chunk);
            if (std::any_of(chunk.begin(), chunk.end(),
                            [](std::byte b) { return b != std::byte{0}; })) {
                to.write(offset, chunk);
            }
        }
        if (progress && !progress(offset + length, size)) {
            to.flush();
            return false;
        }
    }
    to.flush();
    return true;
}

void create_overlay(const std::filesystem::path& base, const std::filesystem::path& overlay,
                    CreateOptions options) {
    const std::filesystem::path overlay_dir = std::filesystem::absolute(overlay).parent_path();
    options.format = ImageFormat::kQcow2;
    options.backing_file =
        base.is_absolute()
            ? base.string()
            : std::filesystem::absolute(base).lexically_relative(overlay_dir).string();
    create_image(overlay, options);
}

}  // namespace tern::dom0::diskimage
