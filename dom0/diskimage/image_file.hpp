// Defines ImageFile: an RAII owner of the file descriptor of one image file, with positional
// I/O (pread/pwrite, so that threads share it without a file position) that either completes or
// throws ImageError naming the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>

namespace tern::dom0::diskimage {

enum class OpenMode { kReadOnly, kReadWrite };

// Who else may use an image while it is open, enforced with open-file-description byte locks
// in the layout QEMU uses (permission bytes from 100, "not shared" bytes from 200), so that
// tern_diskimage and qemu-img/qemu-io/qemu-system see each other's use.
enum class ImageLock {
    kNone,    // no lock (force share: inspection of an image in use)
    kReader,  // reads; refuses to open while someone writes, and keeps writers out
    kWriter,  // reads and writes; refuses to open while anyone else reads or writes
};

class ImageFile {
  public:
    // Opens an existing file.
    ImageFile(const std::filesystem::path& path, OpenMode mode);
    // Creates (or truncates) a file for writing.
    [[nodiscard]] static ImageFile create(const std::filesystem::path& path);

    ~ImageFile();
    ImageFile(ImageFile&& other) noexcept;
    ImageFile& operator=(ImageFile&& other) noexcept;
    ImageFile(const ImageFile&) = delete;
    ImageFile& operator=(const ImageFile&) = delete;

    // Reads exactly out.size() bytes; bytes past the end of the file read as zero.
    void read_at(std::uint64_t offset, std::span<std::byte> out) const;
    // Writes all of data.
    void write_at(std::uint64_t offset, std::span<const std::byte> data) const;
    // Makes everything written so far durable (fdatasync).
    void sync() const;
    [[nodiscard]] std::uint64_t size() const;
    // Bytes the file occupies on its filesystem (st_blocks * 512).
    [[nodiscard]] std::uint64_t allocated_bytes() const;
    void truncate(std::uint64_t size) const;
    // Deallocates a range, which then reads as zero (FALLOC_FL_PUNCH_HOLE); falls back to
    // writing zeros where the filesystem cannot punch holes.
    void punch_hole(std::uint64_t offset, std::uint64_t length) const;

    // Takes the lock, or throws ImageError saying who holds a conflicting one.
    void lock(ImageLock lock) const;

    // The first offset at or after `offset` that holds data (SEEK_DATA), or nothing when only a
    // hole follows.
    [[nodiscard]] std::optional<std::uint64_t> next_data(std::uint64_t offset) const;

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    [[nodiscard]] bool writable() const { return mode_ == OpenMode::kReadWrite; }

  private:
    ImageFile(int fd, std::filesystem::path path, OpenMode mode);
    [[noreturn]] void fail(const char* operation) const;

    int fd_ = -1;
    std::filesystem::path path_;
    OpenMode mode_ = OpenMode::kReadOnly;
};

}  // namespace tern::dom0::diskimage
