// Defines the argument layouts and request numbers of the Linux Xen device ioctls xenstored
// uses: /dev/xen/evtchn, /dev/xen/xenbus_backend, /dev/xen/gntdev and /dev/xen/privcmd (Linux's
// include/uapi/xen/{evtchn,xenbus_dev,gntdev,privcmd}.h). A unit test checks them against
// Debian's libxen-dev headers.
#pragma once

#include <sys/ioctl.h>

#include <cstdint>

namespace tern::dom0::xenstored::xen_ioctl {

struct EvtchnBindVirq {
    unsigned int virq;
};
struct EvtchnBindInterdomain {
    std::uint32_t remote_domain;
    std::uint32_t remote_port;
};
struct EvtchnNotify {
    std::uint32_t port;
};
struct GntdevGrantRef {
    std::uint32_t domid;
    std::uint32_t ref;
};
struct GntdevMapGrantRef {
    std::uint32_t count;
    std::uint32_t pad;
    std::uint64_t index;
    GntdevGrantRef refs[1];
};
struct GntdevUnmapGrantRef {
    std::uint64_t index;
    std::uint32_t count;
    std::uint32_t pad;
};
struct PrivcmdMmapBatchV2 {
    unsigned int num;
    std::uint16_t dom;
    std::uint64_t addr;
    const std::uint64_t* arr;
    int* err;
};

inline constexpr unsigned long kEvtchnBindVirq = _IOC(_IOC_NONE, 'E', 0, sizeof(EvtchnBindVirq));
inline constexpr unsigned long kEvtchnBindInterdomain =
    _IOC(_IOC_NONE, 'E', 1, sizeof(EvtchnBindInterdomain));
inline constexpr unsigned long kEvtchnNotify = _IOC(_IOC_NONE, 'E', 4, sizeof(EvtchnNotify));
inline constexpr unsigned long kXenbusBackendEvtchn = _IOC(_IOC_NONE, 'B', 0, 0);
inline constexpr unsigned long kGntdevMapGrantRef =
    _IOC(_IOC_NONE, 'G', 0, sizeof(GntdevMapGrantRef));
inline constexpr unsigned long kGntdevUnmapGrantRef =
    _IOC(_IOC_NONE, 'G', 1, sizeof(GntdevUnmapGrantRef));
inline constexpr unsigned long kPrivcmdMmapBatchV2 =
    _IOC(_IOC_NONE, 'P', 4, sizeof(PrivcmdMmapBatchV2));

}  // namespace tern::dom0::xenstored::xen_ioctl
