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

inline constexpr std::uint32_t kEvtchnStatClosed = 0;
inline constexpr std::uint32_t kEvtchnStatUnbound = 1;
inline constexpr std::uint32_t kEvtchnStatInterdomain = 2;
inline constexpr std::uint32_t kEvtchnStatPirq = 3;
inline constexpr std::uint32_t kEvtchnStatVirq = 4;
inline constexpr std::uint32_t kEvtchnStatIpi = 5;

struct evtchn_status {
    domid_t dom;
    evtchn_port_t port;
    std::uint32_t status;
    std::uint32_t vcpu;
    union {
        struct {
            domid_t dom;
        } unbound;
        struct {
            domid_t dom;
            evtchn_port_t port;
        } interdomain;
        std::uint32_t pirq;
        std::uint32_t virq;
    } u;
};

// Virtual IRQs (VIRQ_*) a guest can bind; the global ones go to vCPU 0.
inline constexpr std::uint32_t kVirqTimer = 0;
inline constexpr std::uint32_t kVirqDebug = 1;
inline constexpr std::uint32_t kVirqConsole = 2;
inline constexpr std::uint32_t kVirqDomExc = 3;
inline constexpr std::uint32_t kNrVirqs = 24;

}  // namespace tern::pub
