// Defines EventChannelDevice: Linux's /dev/xen/evtchn (module xen-evtchn), event channels for
// dom0's user space: bind a VIRQ (VIRQ_DOM_EXC: a domain shut down or died) or another
// domain's unbound port, notify a port, and wait for ports to fire. Ports bound here are
// closed when the object goes.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace tern::dom0 {

class EventChannelDevice {
  public:
    static constexpr const char* kDefaultPath = "/dev/xen/evtchn";
    static constexpr std::uint32_t kVirqDomExc = 3;

    explicit EventChannelDevice(const std::string& path = kDefaultPath);
    ~EventChannelDevice();
    EventChannelDevice(const EventChannelDevice&) = delete;
    EventChannelDevice& operator=(const EventChannelDevice&) = delete;

    // Each returns the new local port; throws ControlError on refusal.
    std::uint32_t bind_virq(std::uint32_t virq);
    std::uint32_t bind_interdomain(std::uint32_t domain, std::uint32_t remote_port);
    void notify(std::uint32_t port);
    // The next port that fired (unmasked again so it can fire once more), or nothing when
    // `timeout` passed first.
    std::optional<std::uint32_t> wait(std::chrono::milliseconds timeout);

  private:
    int fd_ = -1;
};

}  // namespace tern::dom0
