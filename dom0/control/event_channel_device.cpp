#include "dom0/control/event_channel_device.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "dom0/control/control_error.hpp"

namespace tern::dom0 {

namespace {

// Linux's include/uapi/xen/evtchn.h: _IOC(_IOC_NONE, 'E', nr, sizeof(argument)).
constexpr unsigned long evtchn_ioctl(unsigned nr, unsigned size) {
    return (static_cast<unsigned long>(size) << 16) | ('E' << 8) | nr;
}
struct BindVirq {
    std::uint32_t virq;
};
struct BindInterdomain {
    std::uint32_t remote_domain;
    std::uint32_t remote_port;
};
struct Notify {
    std::uint32_t port;
};
constexpr unsigned long kBindVirq = evtchn_ioctl(0, sizeof(BindVirq));
constexpr unsigned long kBindInterdomain = evtchn_ioctl(1, sizeof(BindInterdomain));
constexpr unsigned long kNotify = evtchn_ioctl(4, sizeof(Notify));
static_assert(kBindVirq == 0x44500 && kBindInterdomain == 0x84501 && kNotify == 0x44504);

[[noreturn]] void fail(const std::string& what) {
    const int error = errno;
    throw ControlError(what + ": " + std::strerror(error), error);
}

}  // namespace

EventChannelDevice::EventChannelDevice(const std::string& path) {
    fd_ = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0)
        fail("cannot open " + path + " (is the xen-evtchn module loaded?)");
}

EventChannelDevice::~EventChannelDevice() {
    if (fd_ >= 0)
        ::close(fd_);
}

std::uint32_t EventChannelDevice::bind_virq(std::uint32_t virq) {
    BindVirq arg{virq};
    const int port = ::ioctl(fd_, kBindVirq, &arg);
    if (port < 0)
        fail("bind VIRQ " + std::to_string(virq));
    return static_cast<std::uint32_t>(port);
}

std::uint32_t EventChannelDevice::bind_interdomain(std::uint32_t domain,
                                                   std::uint32_t remote_port) {
    BindInterdomain arg{domain, remote_port};
    const int port = ::ioctl(fd_, kBindInterdomain, &arg);
    if (port < 0)
        fail("bind to port " + std::to_string(remote_port) + " of domain " +
             std::to_string(domain));
    return static_cast<std::uint32_t>(port);
}

void EventChannelDevice::notify(std::uint32_t port) {
    Notify arg{port};
    if (::ioctl(fd_, kNotify, &arg) < 0)
        fail("notify port " + std::to_string(port));
}

std::optional<std::uint32_t> EventChannelDevice::wait(std::chrono::milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready < 0)
        fail("wait for an event");
    if (ready == 0)
        return std::nullopt;
    std::uint32_t port = 0;
    if (::read(fd_, &port, sizeof port) != static_cast<ssize_t>(sizeof port))
        fail("read a fired port");
    if (::write(fd_, &port, sizeof port) != static_cast<ssize_t>(sizeof port))
        fail("unmask port " + std::to_string(port));
    return port;
}

}  // namespace tern::dom0
