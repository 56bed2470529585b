// Implements ImageFile over POSIX file descriptors.
#include "diskimage/image_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "diskimage/image_error.hpp"

namespace tern::dom0::diskimage {

ImageFile::ImageFile(int fd, std::filesystem::path path, OpenMode mode)
    : fd_(fd), path_(std::move(path)), mode_(mode) {}

ImageFile::ImageFile(const std::filesystem::path& path, OpenMode mode) : path_(path), mode_(mode) {
    const int flags = (mode == OpenMode::kReadWrite ? O_RDWR : O_RDONLY) | O_CLOEXEC;
    fd_ = ::open(path.c_str(), flags);
    if (fd_ < 0) {
        fail("cannot open");
    }
}

ImageFile ImageFile::create(const std::filesystem::path& path) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw ImageError(path, std::string("cannot create: ") + std::strerror(errno));
    }
    return ImageFile(fd, path, OpenMode::kReadWrite);
}

ImageFile::~ImageFile() {
    if (fd_ >= 0) {
        ::close(fd_);
    }
}

ImageFile::ImageFile(ImageFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), mode_(other.mode_) {}

ImageFile& ImageFile::operator=(ImageFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
        mode_ = other.mode_;
    }
    return *this;
}

void ImageFile::fail(const char* operation) const {
    throw ImageError(path_, std::string(operation) + ": " + std::strerror(errno));
}

void ImageFile::read_at(std::uint64_t offset, std::span<std::byte> out) const {
    std::size_t done = 0;
    while (done < out.size()) {
        const ssize_t n =
            ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail("read failed");
        }
        if (n == 0) {
            std::memset(out.data() + done, 0, out.size() - done);
            return;
        }
        done += static_cast<std::size_t>(n);
    }
}

void ImageFile::write_at(std::uint64_t offset, std::span<const std::byte> data) const {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::pwrite(fd_, data.data() + done, data.size() - done,
                                   static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            fail("write failed");
        }
        done += static_cast<std::size_t>(n);
    }
}

void ImageFile::sync() const {
    if (::fdatasync(fd_) != 0) {
        fail("fdatasync failed");
    }
}

std::uint64_t ImageFile::size() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        fail("fstat failed");
    }
    return static_cast<std::uint64_t>(st.st_size);
}

std::uint64_t ImageFile::allocated_bytes() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        fail("fstat failed");
    }
    return static_cast<std::uint64_t>(st.st_blocks) * 512;
}

void ImageFile::truncate(std::uint64_t size) const {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
        fail("ftruncate failed");
    }
}

namespace {

// QEMU's permission bits, as byte numbers above the two lock bases.
constexpr off_t kPermissionBase = 100;
constexpr off_t kUnsharedBase = 200;
constexpr off_t kConsistentRead = 0;
constexpr off_t kWrite = 1;
constexpr off_t kResize = 3;

}  // namespace

void ImageFile::lock(ImageLock lock) const {
    if (lock == ImageLock::kNone) {
        return;
    }
    auto held_elsewhere = [&](off_t byte) {
        struct flock probe {};
        probe.l_type = F_WRLCK;
        probe.l_whence = SEEK_SET;
        probe.l_start = byte;
        probe.l_len = 1;
        if (::fcntl(fd_, F_OFD_GETLK, &probe) != 0) {
            fail("fcntl(F_OFD_GETLK) failed");
        }
        return probe.l_type != F_UNLCK;
    };
    auto take = [&](off_t byte) {
        struct flock hold {};
        hold.l_type = F_RDLCK;
        hold.l_whence = SEEK_SET;
        hold.l_start = byte;
        hold.l_len = 1;
        if (::fcntl(fd_, F_OFD_SETLK, &hold) != 0) {
            fail("fcntl(F_OFD_SETLK) failed");
        }
    };
    auto refuse = [&](const char* why) {
        throw ImageError(path_, std::string("image is locked: ") + why);
    };
    if (held_elsewhere(kPermissionBase + kWrite)) {
        refuse("another process (or open) is writing to it");
    }
    if (lock == ImageLock::kWriter) {
        if (held_elsewhere(kUnsharedBase + kWrite) || held_elsewhere(kPermissionBase + kResize) ||
            held_elsewhere(kUnsharedBase + kResize)) {
            refuse("another process (or open) uses it and does not allow writers");
        }
        take(kPermissionBase + kWrite);
        take(kPermissionBase + kResize);
    }
    take(kPermissionBase + kConsistentRead);
    take(kUnsharedBase + kWrite);
    take(kUnsharedBase + kResize);
}

std::optional<std::uint64_t> ImageFile::next_data(std::uint64_t offset) const {
    const off_t data = ::lseek(fd_, static_cast<off_t>(offset), SEEK_DATA);
    if (data < 0) {
        if (errno == ENXIO) {
            return std::nullopt;
        }
        return offset;  // SEEK_DATA unsupported: assume data everywhere.
    }
    return static_cast<std::uint64_t>(data);
}

void ImageFile::punch_hole(std::uint64_t offset, std::uint64_t length) const {
    if (length == 0) {
        return;
    }
    if (::fallocate(fd_, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, static_cast<off_t>(offset),
                    static_cast<off_t>(length)) == 0) {
        return;
    }
    if (errno != EOPNOTSUPP && errno != ENOSYS) {
        fail("fallocate(PUNCH_HOLE) failed");
    }
    constexpr std::uint64_t kChunk = 1 << 20;
    const std::vector<std::byte> zeros(static_cast<std::size_t>(std::min(length, kChunk)));
    for (std::uint64_t done = 0; done < length;) {
        const std::uint64_t n = std::min(length - done, kChunk);
        write_at(offset + done, std::span(zeros).first(static_cast<std::size_t>(n)));
        done += n;
    }
}

}  // namespace tern::dom0::diskimage
