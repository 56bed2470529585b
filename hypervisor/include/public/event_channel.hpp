// The event-channel operations of the guest ABI (hypercall 32), in Xen's spelling.
#pragma once

#include "public/xen.hpp"

namespace tern::pub {

inline constexpr unsigned kEvtchnOpBindInterdomain = 0;
inline constexpr unsigned kEvtchnOpBindVirq = 1;
inline constexpr unsigned kEvtchnOpClose = 3;
inline constexpr unsigned kEvtchnOpSend = 4;
inline constexpr unsigned kEvtchnOpStatus = 5;
inline constexpr unsigned kEvtchnOpAllocUnbound = 6;
inline constexpr unsigned kEvtchnOpBindIpi = 7;
inline constexpr unsigned kEvtchnOpBindVcpu = 8;
inline constexpr unsigned kEvtchnOpUnmask = 9;
inline constexpr unsigned kEvtchnOpInitControl = 11;  // the FIFO ABI: refused, Linux falls back

struct evtchn_alloc_unbound {
    domid_t dom;
    domid_t remote_dom;
    evtchn_port_t port;
};

struct evtchn_bind_interdomain {
    domid_t remote_dom;
    evtchn_port_t remote_port;
    evtchn_port_t local_port;
};

struct evtchn_bind_virq {
    std::uint32_t virq;
    std::uint32_t vcpu;
    evtchn_port_t port;
};

struct evtchn_bind_ipi {
    std::uint32_t vcpu;
    evtchn_port_t port;
};

struct evtchn_close {
    evtchn_port_t port;
};

struct evtchn_send {
    evtchn_port_t port;
};

struct evtchn_unmask {
    evtchn_port_t port;
};

struct evtchn_bind_vcpu {
    evtchn_port_t port;
    std::uint32_t vcpu;
};

}  // namespace tern::pub
