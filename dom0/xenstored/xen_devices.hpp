// Defines the Linux Xen devices dom0's xenstored uses: an event channel bound through
// /dev/xen/evtchn, dom0's own ring through /dev/xen/xenbus_backend, and guests' rings mapped
// through /dev/xen/gntdev (the grant the toolstack reserves for xenstore) or
// /dev/xen/privcmd (foreign mapping by frame).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "xenstored/domain_id.hpp"
#include "xenstored/ring_transport.hpp"
#include "xenstored/unique_fd.hpp"

namespace tern::dom0::xenstored {

inline constexpr const char* kEvtchnDevice = "/dev/xen/evtchn";
inline constexpr const char* kXenbusBackendDevice = "/dev/xen/xenbus_backend";
inline constexpr const char* kGntdevDevice = "/dev/xen/gntdev";
inline constexpr const char* kPrivcmdDevice = "/dev/xen/privcmd";
// VIRQ_DOM_EXC: raised in dom0 when a domain shuts down or dies.
inline constexpr std::uint32_t kVirqDomainException = 3;
// GNTTAB_RESERVED_XENSTORE: the grant reference of a guest's xenstore page.
inline constexpr std::uint32_t kXenstoreGrantRef = 1;

// An interdomain event channel bound through /dev/xen/evtchn; its fd is readable when the
// remote end signals.
class EvtchnDeviceChannel : public EventChannel {
  public:
    // Binds to (remote domain, remote port); nullptr and `error` set on failure.
    static std::unique_ptr<EvtchnDeviceChannel> bind(DomainId remote, std::uint32_t remote_port,
                                                     std::string& error);
    // Binds a virtual interrupt (VIRQ_DOM_EXC); nullptr and `error` set on failure.
    static std::unique_ptr<EvtchnDeviceChannel> bind_virq(std::uint32_t virq, std::string& error);
    void notify() override;
    int fd() const override { return fd_.get(); }
    void acknowledge() override;

  private:
    EvtchnDeviceChannel(UniqueFd fd, std::uint32_t local_port)
        : fd_(std::move(fd)), local_port_(local_port) {}
    UniqueFd fd_;
    std::uint32_t local_port_;
};

// dom0's kernel connection: the ring page and event channel /dev/xen/xenbus_backend hands out.
// Returns nullptr with `error` empty when the device does not exist (a host without Xen), or
// with `error` set when it exists but cannot be used.
std::unique_ptr<Transport> open_xenbus_backend(const std::string& device, std::string& error);

// Maps a guest's xenstore page (through gntdev's reserved xenstore grant, else by frame through
// privcmd's foreign mapping) and binds its event channel; nullptr and `error` set on failure.
std::unique_ptr<Transport> connect_guest_ring(DomainId domid, std::uint64_t frame,
                                              std::uint32_t event_channel, std::string& error);

}  // namespace tern::dom0::xenstored
