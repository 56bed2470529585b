// Defines DiskImage, the interface every image format (qcow2, raw) implements, and the options
// images are opened and created with.
//
// Offsets and lengths are in bytes and need no alignment. A range must lie inside the virtual
// size, otherwise the call throws ImageError. Concurrency: read, write, discard and flush may be
// called from several threads at once on one image; resize must not run concurrently with any
// other call (a block backend drains its queues first). Each format documents its own locking.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace tern::dom0::diskimage {

enum class ImageFormat { kRaw, kQcow2 };

[[nodiscard]] std::string_view format_name(ImageFormat format);
// "raw" or "qcow2"; throws ImageError naming `what` for anything else.
[[nodiscard]] ImageFormat parse_format(std::string_view name, std::string_view what);

struct OpenOptions {
    bool writable = false;
    // Bytes of L2 tables the qcow2 cache may hold (rounded to whole tables, at least one per
    // cache shard).
    std::size_t l2_cache_bytes = 4 << 20;
    // Lock the image against conflicting users (QEMU's scheme, see ImageLock); off is QEMU's
    // "force share", for inspecting an image in use.
    bool lock = true;
    // Open the backing chain (off: reads of unallocated clusters see zeros; for tools that only
    // inspect one file).
    bool open_backing = true;
};

// What an image reports about itself (tern-img info).
struct ImageInfo {
    ImageFormat format = ImageFormat::kRaw;
    std::uint64_t virtual_size = 0;
    std::uint64_t file_size = 0;
    std::uint64_t allocated_bytes = 0;
    std::optional<std::uint64_t> cluster_size;
    std::optional<std::uint32_t> qcow2_version;
    std::optional<std::uint32_t> refcount_bits;
    std::optional<std::string> backing_file;
    std::optional<ImageFormat> backing_format;
    std::optional<std::filesystem::path> backing_path;  // resolved against the image's folder
    bool dirty = false;
    bool lazy_refcounts = false;
    bool corrupt = false;
};

class DiskImage {
  public:
    virtual ~DiskImage() = default;

    [[nodiscard]] virtual ImageFormat format() const = 0;
    [[nodiscard]] virtual std::uint64_t virtual_size() const = 0;
    [[nodiscard]] virtual const std::filesystem::path& path() const = 0;
    [[nodiscard]] virtual ImageInfo info() const = 0;

    virtual void read(std::uint64_t offset, std::span<std::byte> out) = 0;
    virtual void write(std::uint64_t offset, std::span<const std::byte> data) = 0;
    // Makes the range read as zeros and gives back the space of whole clusters inside it.
    virtual void discard(std::uint64_t offset, std::uint64_t length) = 0;
    // Makes every completed write durable.
    virtual void flush() = 0;
    // Grows the virtual size (qcow2 rounds it up to whole 512-byte sectors, as QEMU does);
    // shrinking is refused.
    virtual void resize(std::uint64_t new_size) = 0;
    // True when the range certainly reads as zeros without reading data (unallocated with no
    // backing data, or a zero cluster); lets convert keep its output sparse cheaply.
    [[nodiscard]] virtual bool known_zero(std::uint64_t offset, std::uint64_t length) = 0;

  protected:
    DiskImage() = default;
    DiskImage(const DiskImage&) = delete;
    DiskImage& operator=(const DiskImage&) = delete;
};

}  // namespace tern::dom0::diskimage
