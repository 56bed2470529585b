// Defines Privcmd: dom0's hypercall channel, Linux's /dev/xen/privcmd (module xen-privcmd),
// whose IOCTL_PRIVCMD_HYPERCALL issues one hypercall with up to five arguments on behalf of
// user space. The file descriptor is owned (closed on destruction).
#pragma once

#include <cstdint>
#include <string>

namespace tern::dom0 {

class Privcmd {
  public:
    static constexpr const char* kDefaultPath = "/dev/xen/privcmd";

    // Opens the device; throws ControlError naming the path when it cannot.
    explicit Privcmd(const std::string& path = kDefaultPath);
    ~Privcmd();
    Privcmd(const Privcmd&) = delete;
    Privcmd& operator=(const Privcmd&) = delete;

    // The hypercall's return value: 0 or more on success, a negative errno on failure.
    std::int64_t hypercall(std::uint64_t op, std::uint64_t a0 = 0, std::uint64_t a1 = 0,
                           std::uint64_t a2 = 0, std::uint64_t a3 = 0, std::uint64_t a4 = 0);

    // The device's descriptor, for mmap and the mapping ioctls (still owned here).
    int fd() const { return fd_; }

  private:
    int fd_ = -1;
};

}  // namespace tern::dom0
