// Defines GrantDevice and GrantMapping: pages other domains granted to dom0, mapped into this
// process through Linux's /dev/xen/gntdev (module xen-gntdev). One IOCTL_GNTDEV_MAP_GRANT_REF
// reserves a batch of grant references at an offset of the device, an mmap of that offset maps
// them (the hypervisor's grant_table_op map_grant_ref underneath, read-only when the mapping is
// not writable), and IOCTL_GNTDEV_UNMAP_GRANT_REF after the munmap releases them. A mapping is
// undone when its object goes, so a batch is never left mapped by mistake.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace tern::dom0 {

class GrantMapping;

class GrantDevice {
  public:
    static constexpr const char* kDefaultPath = "/dev/xen/gntdev";

    // Opens the device; throws ControlError naming the path when it cannot.
    explicit GrantDevice(const std::string& path = kDefaultPath);
    ~GrantDevice();
    GrantDevice(const GrantDevice&) = delete;
    GrantDevice& operator=(const GrantDevice&) = delete;

    // Maps grant references `refs` of `domain`, in that order, as one contiguous range of
    // pages; read-only unless `writable`. Throws ControlError when the batch cannot be
    // reserved or mapped (a bad reference, a read-only grant mapped writable, a gone domain).
    GrantMapping map(std::uint32_t domain, std::span<const std::uint32_t> refs, bool writable);

    int fd() const { return fd_; }

  private:
    int fd_ = -1;
};

class GrantMapping {
  public:
    GrantMapping(GrantMapping&& other) noexcept;
    GrantMapping& operator=(GrantMapping&& other) noexcept;
    GrantMapping(const GrantMapping&) = delete;
    GrantMapping& operator=(const GrantMapping&) = delete;
    ~GrantMapping();

    std::uint8_t* data() { return static_cast<std::uint8_t*>(address_); }
    std::size_t pages() const { return pages_; }
    // Unmaps now (also done on destruction).
    void reset();

  private:
    friend class GrantDevice;
    GrantMapping(int fd, void* address, std::size_t pages, std::uint64_t index)
        : fd_(fd), address_(address), pages_(pages), index_(index) {}

    int fd_ = -1;
    void* address_ = nullptr;
    std::size_t pages_ = 0;
    std::uint64_t index_ = 0;
};

}  // namespace tern::dom0
