#include "dom0/control/grant_device.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "dom0/control/control_error.hpp"

namespace tern::dom0 {

namespace {

// Linux's include/uapi/xen/gntdev.h: the map request is a header followed by `count`
// (domid, ref) pairs; the ioctl number encodes the size of a request with one pair.
struct GntdevGrantRef {
    std::uint32_t domid;
    std::uint32_t ref;
};
struct GntdevMapHeader {
    std::uint32_t count;
    std::uint32_t pad;
    std::uint64_t index;  // out: the offset to mmap
};
struct GntdevUnmap {
    std::uint64_t index;
    std::uint32_t count;
    std::uint32_t pad;
};
static_assert(sizeof(GntdevMapHeader) == 16 && sizeof(GntdevUnmap) == 16);
constexpr unsigned long gntdev_ioctl(unsigned nr, unsigned size) {
    return (static_cast<unsigned long>(size) << 16) | ('G' << 8) | nr;
}
constexpr unsigned long kMapGrantRef =
    gntdev_ioctl(0, sizeof(GntdevMapHeader) + sizeof(GntdevGrantRef));
constexpr unsigned long kUnmapGrantRef = gntdev_ioctl(1, sizeof(GntdevUnmap));
static_assert(kMapGrantRef == 0x184700 && kUnmapGrantRef == 0x104701);
constexpr std::size_t kPage = 4096;

[[noreturn]] void fail(const std::string& what, int error) {
    throw ControlError(what + ": " + std::strerror(error), error);
}

}  // namespace

GrantDevice::GrantDevice(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0)
        fail("cannot open " + path + " (is the xen-gntdev module loaded?)", errno);
}

GrantDevice::~GrantDevice() {
    if (fd_ >= 0)
        ::close(fd_);
}

GrantMapping GrantDevice::map(std::uint32_t domain, std::span<const std::uint32_t> refs,
                              bool writable) {
    const std::string what =
        "map " + std::to_string(refs.size()) + " grant(s) of domain " + std::to_string(domain);
    if (refs.empty())
        fail(what, EINVAL);
    // The header and its pairs in one buffer of 8-byte words (the header's alignment).
    const std::size_t bytes = sizeof(GntdevMapHeader) + refs.size() * sizeof(GntdevGrantRef);
    std::vector<std::uint64_t> buffer((bytes + 7) / 8, 0);
    auto* header = reinterpret_cast<GntdevMapHeader*>(buffer.data());
    header->count = static_cast<std::uint32_t>(refs.size());
    auto* pairs = reinterpret_cast<GntdevGrantRef*>(header + 1);
    for (std::size_t i = 0; i < refs.size(); ++i)
        pairs[i] = {domain, refs[i]};
    if (::ioctl(fd_, kMapGrantRef, buffer.data()) != 0)
        fail(what, errno);
    const std::uint64_t index = header->index;
    const int protection = writable ? PROT_READ | PROT_WRITE : PROT_READ;
    void* address = ::mmap(nullptr, refs.size() * kPage, protection, MAP_SHARED, fd_,
                           static_cast<off_t>(index));
    if (address == MAP_FAILED) {
        const int error = errno;
        GntdevUnmap unmap{index, static_cast<std::uint32_t>(refs.size()), 0};
        ::ioctl(fd_, kUnmapGrantRef, &unmap);
        fail(what, error);
    }
    return GrantMapping(fd_, address, refs.size(), index);
}

GrantMapping::GrantMapping(GrantMapping&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      address_(std::exchange(other.address_, nullptr)),
      pages_(std::exchange(other.pages_, 0)),
      index_(other.index_) {}

GrantMapping& GrantMapping::operator=(GrantMapping&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = std::exchange(other.fd_, -1);
        address_ = std::exchange(other.address_, nullptr);
        pages_ = std::exchange(other.pages_, 0);
        index_ = other.index_;
    }
    return *this;
}

GrantMapping::~GrantMapping() {
    reset();
}

void GrantMapping::reset() {
    if (address_ == nullptr)
        return;
    ::munmap(address_, pages_ * kPage);
    GntdevUnmap unmap{index_, static_cast<std::uint32_t>(pages_), 0};
    ::ioctl(fd_, kUnmapGrantRef, &unmap);
    address_ = nullptr;
    pages_ = 0;
}

}  // namespace tern::dom0
