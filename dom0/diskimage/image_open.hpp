// Defines the entry points of the disk-image library: probing a file's format, opening an
// image (with its backing chain) and creating one.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "diskimage/disk_image.hpp"

namespace tern::dom0::diskimage {

// qcow2 when the file starts with the qcow2 magic, raw otherwise.
[[nodiscard]] ImageFormat probe_format(const std::filesystem::path& path);

// Opens an image of the given format (probed when not given). `backing_depth` counts the
// images above this one in a backing chain.
[[nodiscard]] std::unique_ptr<DiskImage> open_image(const std::filesystem::path& path,
                                                    const OpenOptions& options,
                                                    std::optional<ImageFormat> format = {},
                                                    int backing_depth = 0);

struct CreateOptions {
    ImageFormat format = ImageFormat::kQcow2;
    // Zero with a backing file: the backing file's virtual size.
    std::uint64_t virtual_size = 0;
    std::uint32_t cluster_size = 64 * 1024;
    std::uint32_t qcow2_version = 3;
    std::uint32_t refcount_bits = 16;
    bool lazy_refcounts = false;
    std::optional<std::string> backing_file;    // recorded as given; relative to the new image
    std::optional<ImageFormat> backing_format;  // probed when not given
};

// Creates an image; throws ImageError (naming the file) for invalid options or a backing file
// that cannot be opened.
void create_image(const std::filesystem::path& path, const CreateOptions& options);

}  // namespace tern::dom0::diskimage
