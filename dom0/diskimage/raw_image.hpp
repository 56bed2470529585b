// Defines RawImage: a raw image, a (sparse) file whose bytes are the disk's bytes.
//
// Locking: none is needed. Every call is one or a few pread/pwrite/fallocate calls on the
// shared descriptor, which the kernel makes safe between threads.
#pragma once

#include <filesystem>
#include <memory>

#include "diskimage/disk_image.hpp"
#include "diskimage/image_file.hpp"

namespace tern::dom0::diskimage {

class RawImage final : public DiskImage {
  public:
    explicit RawImage(ImageFile file);

    // Creates a sparse file of virtual_size bytes.
    static void create(const std::filesystem::path& path, std::uint64_t virtual_size);
    [[nodiscard]] static std::unique_ptr<RawImage> open(const std::filesystem::path& path,
                                                        const OpenOptions& options);

    [[nodiscard]] ImageFormat format() const override { return ImageFormat::kRaw; }
    [[nodiscard]] std::uint64_t virtual_size() const override { return size_; }
    [[nodiscard]] const std::filesystem::path& path() const override { return file_.path(); }
    [[nodiscard]] ImageInfo info() const override;

    void read(std::uint64_t offset, std::span<std::byte> out) override;
    void write(std::uint64_t offset, std::span<const std::byte> data) override;
    void discard(std::uint64_t offset, std::uint64_t length) override;
    void flush() override;
    void resize(std::uint64_t new_size) override;
    [[nodiscard]] bool known_zero(std::uint64_t offset, std::uint64_t length) override;

  private:
    void check_range(std::uint64_t offset, std::uint64_t length, const char* operation) const;

    ImageFile file_;
    std::uint64_t size_;
};

}  // namespace tern::dom0::diskimage
