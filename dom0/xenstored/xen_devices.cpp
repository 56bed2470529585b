// Linux's Xen devices (the ioctl layouts are in xen_ioctl.hpp).
#include "xenstored/xen_devices.hpp"

#include "xenstored/xen_ioctl.hpp"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tern::dom0::xenstored {
namespace {

using namespace xen_ioctl;

std::string system_error(const std::string& what) {
    return what + ": " + std::strerror(errno);
}

// A page mapped from a device; unmapped (and, for gntdev, its grant released) on destruction.
class DevicePage : public SharedPage {
  public:
    DevicePage(UniqueFd fd, void* address, std::optional<std::uint64_t> grant_index)
        : fd_(std::move(fd)), address_(address), grant_index_(grant_index) {}
    ~DevicePage() override {
        ::munmap(address_, static_cast<std::size_t>(::getpagesize()));
        if (grant_index_) {
            GntdevUnmapGrantRef unmap{*grant_index_, 1, 0};
            ::ioctl(fd_.get(), kGntdevUnmapGrantRef, &unmap);
        }
    }
    XenstoreDomainInterface& interface() override {
        return *static_cast<XenstoreDomainInterface*>(address_);
    }

  private:
    UniqueFd fd_;
    void* address_;
    std::optional<std::uint64_t> grant_index_;
};

}  // namespace

std::unique_ptr<EvtchnDeviceChannel> EvtchnDeviceChannel::bind(DomainId remote,
                                                               std::uint32_t remote_port,
                                                               std::string& error) {
    UniqueFd fd(::open(kEvtchnDevice, O_RDWR | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) {
        error = system_error(kEvtchnDevice);
        return nullptr;
    }
    EvtchnBindInterdomain bind{remote.value, remote_port};
    const int port = ::ioctl(fd.get(), kEvtchnBindInterdomain, &bind);
    if (port < 0) {
        error = system_error("bind event channel " + std::to_string(remote_port));
        return nullptr;
    }
    return std::unique_ptr<EvtchnDeviceChannel>(
        new EvtchnDeviceChannel(std::move(fd), static_cast<std::uint32_t>(port)));
}

std::unique_ptr<EvtchnDeviceChannel> EvtchnDeviceChannel::bind_virq(std::uint32_t virq,
                                                                    std::string& error) {
    UniqueFd fd(::open(kEvtchnDevice, O_RDWR | O_CLOEXEC | O_NONBLOCK));
    if (!fd.valid()) {
        error = system_error(kEvtchnDevice);
        return nullptr;
    }
    EvtchnBindVirq bind{virq};
    const int port = ::ioctl(fd.get(), kEvtchnBindVirq, &bind);
    if (port < 0) {
        error = system_error("bind VIRQ " + std::to_string(virq));
        return nullptr;
    }
    return std::unique_ptr<EvtchnDeviceChannel>(
        new EvtchnDeviceChannel(std::move(fd), static_cast<std::uint32_t>(port)));
}

void EvtchnDeviceChannel::notify() {
    EvtchnNotify notify{local_port_};
    ::ioctl(fd_.get(), kEvtchnNotify, &notify);
}

void EvtchnDeviceChannel::acknowledge() {
    // Reading returns the pending ports; writing a port back unmasks it.
    std::uint32_t ports[16];
    const ssize_t n = ::read(fd_.get(), ports, sizeof(ports));
    if (n > 0) {
        [[maybe_unused]] const ssize_t written =
            ::write(fd_.get(), ports, static_cast<std::size_t>(n));
    }
}

std::unique_ptr<Transport> open_xenbus_backend(const std::string& device, std::string& error) {
    UniqueFd fd(::open(device.c_str(), O_RDWR | O_CLOEXEC));
    if (!fd.valid()) {
        if (errno != ENOENT) {
            error = system_error(device);
        }
        return nullptr;
    }
    const int port = ::ioctl(fd.get(), kXenbusBackendEvtchn);
    if (port < 0) {
        error = system_error(device + ": event channel");
        return nullptr;
    }
    void* address = ::mmap(nullptr, static_cast<std::size_t>(::getpagesize()),
                           PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    if (address == MAP_FAILED) {
        error = system_error(device + ": mmap");
        return nullptr;
    }
    auto page = std::make_unique<DevicePage>(std::move(fd), address, std::nullopt);
    auto channel = EvtchnDeviceChannel::bind(kDom0, static_cast<std::uint32_t>(port), error);
    if (!channel) {
        return nullptr;
    }
    return std::make_unique<RingTransport>(std::move(page), std::move(channel),
                                           "dom0 xenbus backend ring");
}

namespace {

// Maps the xenstore page through gntdev (the grant GNTTAB_RESERVED_XENSTORE the domain builder
// fills in), as current Xen toolstacks expect.
std::unique_ptr<SharedPage> map_by_grant(DomainId domid, std::string& error) {
    UniqueFd fd(::open(kGntdevDevice, O_RDWR | O_CLOEXEC));
    if (!fd.valid()) {
        error = system_error(kGntdevDevice);
        return nullptr;
    }
    GntdevMapGrantRef map{1, 0, 0, {{domid.value, kXenstoreGrantRef}}};
    if (::ioctl(fd.get(), kGntdevMapGrantRef, &map) != 0) {
        error = system_error("map xenstore grant of domain " + std::to_string(domid.value));
        return nullptr;
    }
    void* address =
        ::mmap(nullptr, static_cast<std::size_t>(::getpagesize()), PROT_READ | PROT_WRITE,
               MAP_SHARED, fd.get(), static_cast<off_t>(map.index));
    if (address == MAP_FAILED) {
        error = system_error("mmap xenstore grant of domain " + std::to_string(domid.value));
        GntdevUnmapGrantRef unmap{map.index, 1, 0};
        ::ioctl(fd.get(), kGntdevUnmapGrantRef, &unmap);
        return nullptr;
    }
    return std::make_unique<DevicePage>(std::move(fd), address, map.index);
}

// Maps the page by frame number through privcmd's foreign mapping (what INTRODUCE's <mfn>
// names; a guest frame on Arm).
std::unique_ptr<SharedPage> map_by_frame(DomainId domid, std::uint64_t frame, std::string& error) {
    UniqueFd fd(::open(kPrivcmdDevice, O_RDWR | O_CLOEXEC));
    if (!fd.valid()) {
        error = system_error(kPrivcmdDevice);
        return nullptr;
    }
    const auto page_size = static_cast<std::size_t>(::getpagesize());
    void* address = ::mmap(nullptr, page_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
    if (address == MAP_FAILED) {
        error = system_error("mmap privcmd");
        return nullptr;
    }
    int page_error = 0;
    PrivcmdMmapBatchV2 batch{1, static_cast<std::uint16_t>(domid.value),
                             reinterpret_cast<std::uint64_t>(address), &frame, &page_error};
    if (::ioctl(fd.get(), kPrivcmdMmapBatchV2, &batch) != 0 || page_error != 0) {
        error = "map frame " + std::to_string(frame) + " of domain " + std::to_string(domid.value) +
                ": " + std::strerror(page_error != 0 ? -page_error : errno);
        ::munmap(address, page_size);
        return nullptr;
    }
    return std::make_unique<DevicePage>(std::move(fd), address, std::nullopt);
}

}  // namespace

std::unique_ptr<Transport> connect_guest_ring(DomainId domid, std::uint64_t frame,
                                              std::uint32_t event_channel, std::string& error) {
    std::string grant_error;
    std::unique_ptr<SharedPage> page = map_by_grant(domid, grant_error);
    if (!page) {
        page = map_by_frame(domid, frame, error);
        if (!page) {
            error = grant_error + "; " + error;
            return nullptr;
        }
    }
    auto channel = EvtchnDeviceChannel::bind(domid, event_channel, error);
    if (!channel) {
        return nullptr;
    }
    return std::make_unique<RingTransport>(std::move(page), std::move(channel),
                                           "domain " + std::to_string(domid.value) + " ring");
}

}  // namespace tern::dom0::xenstored
