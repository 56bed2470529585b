#include "dom0/control/privcmd.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dom0/control/control_error.hpp"

namespace tern::dom0 {

namespace {

// Linux's include/uapi/xen/privcmd.h: struct privcmd_hypercall { __u64 op; __u64 arg[5]; }
// and IOCTL_PRIVCMD_HYPERCALL = _IOC(_IOC_NONE, 'P', 0, sizeof(struct privcmd_hypercall)).
struct PrivcmdHypercall {
    std::uint64_t op;
    std::uint64_t arg[5];
};
constexpr unsigned long kIoctlHypercall = (sizeof(PrivcmdHypercall) << 16) | ('P' << 8) | 0;
static_assert(kIoctlHypercall == 0x305000);

}  // namespace

Privcmd::Privcmd(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) {
        const int error = errno;
        throw ControlError("cannot open " + path + ": " + std::strerror(error) +
                               (error == ENOENT ? " (is the xen-privcmd module loaded, and is this "
                                                  "dom0 on Tern?)"
                                                : ""),
                           error);
    }
}

Privcmd::~Privcmd() {
    if (fd_ >= 0)
        ::close(fd_);
}

std::int64_t Privcmd::hypercall(std::uint64_t op, std::uint64_t a0, std::uint64_t a1,
                                std::uint64_t a2, std::uint64_t a3, std::uint64_t a4) {
    PrivcmdHypercall call{op, {a0, a1, a2, a3, a4}};
    const long result = ::ioctl(fd_, kIoctlHypercall, &call);
    // privcmd returns the hypercall's value; a negative one comes back as -1 with errno.
    if (result < 0)
        return -static_cast<std::int64_t>(errno);
    return result;
}

}  // namespace tern::dom0
