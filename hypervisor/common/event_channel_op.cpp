// event_channel_op (../shared/reference/xen-arm-abi.md §4.1): the 2-level operations on the
// caller's table. `dom` fields name the caller (DOMID_SELF or its id) or, for the control
// domain, any domain the lookup finds; interdomain binds connect the caller to another domain's
// unbound port (or to its own). The FIFO ABI is refused (-ENOSYS) so that Linux uses the
// 2-level one.
#include "common/event_channel_op.hpp"

#include "common/guest_errno.hpp"

namespace tern::hv {
namespace {

bool names_self(const EventChannels& events, pub::domid_t dom) {
    return dom == pub::kDomidSelf || dom == events.domain();
}

// The table `dom` names for this caller: its own, another's through the lookup, or none.
EventChannels* table_of(EventChannels& events, DomainEventsLookup* others, pub::domid_t dom) {
    if (names_self(events, dom))
        return &events;
    return others != nullptr ? others->events_of(dom) : nullptr;
}

template <class T, class F>
std::int64_t with_struct(GuestMemory& memory, std::uint64_t arg, F&& op) {
    T a{};
    if (!memory.read(arg, a))
        return kEfault;
    const std::int64_t result = op(a);
    if (result != 0)
        return result;
    return memory.write(arg, a) ? 0 : kEfault;
}

}  // namespace

std::int64_t event_channel_op(EventChannels& events, GuestMemory& memory, std::uint64_t cmd,
                              std::uint64_t arg, DomainEventsLookup* others) {
    switch (cmd) {
        case pub::kEvtchnOpAllocUnbound:
            return with_struct<pub::evtchn_alloc_unbound>(memory, arg, [&](auto& a) {
                EventChannels* table = table_of(events, others, a.dom);
                if (table == nullptr)
                    return kEsrch;
                // DOMID_SELF as the remote means the caller.
                const pub::domid_t remote =
                    a.remote_dom == pub::kDomidSelf ? events.domain() : a.remote_dom;
                auto port = table->alloc_unbound(table == &events ? a.remote_dom : remote);
                a.port = port.value_or(0);
                return errno_of(port.status());
            });
        case pub::kEvtchnOpBindInterdomain:
            return with_struct<pub::evtchn_bind_interdomain>(memory, arg, [&](auto& a) {
                EventChannels* remote = table_of(events, others, a.remote_dom);
                if (remote == nullptr)
                    return kEsrch;
                auto port = events.bind_interdomain(*remote, a.remote_port);
                a.local_port = port.value_or(0);
                return errno_of(port.status());
            });
        case pub::kEvtchnOpBindVirq:
            return with_struct<pub::evtchn_bind_virq>(memory, arg, [&](auto& a) {
                auto port = events.bind_virq(a.virq, a.vcpu);
                a.port = port.value_or(0);
                return errno_of(port.status());
            });
        case pub::kEvtchnOpBindIpi:
            return with_struct<pub::evtchn_bind_ipi>(memory, arg, [&](auto& a) {
                auto port = events.bind_ipi(a.vcpu);
                a.port = port.value_or(0);
                return errno_of(port.status());
            });
        case pub::kEvtchnOpClose: {
            pub::evtchn_close a{};
            return memory.read(arg, a) ? errno_of(events.close(a.port)) : kEfault;
        }
        case pub::kEvtchnOpSend: {
            pub::evtchn_send a{};
            return memory.read(arg, a) ? errno_of(events.send(a.port)) : kEfault;
        }
        case pub::kEvtchnOpUnmask: {
            pub::evtchn_unmask a{};
            return memory.read(arg, a) ? errno_of(events.unmask(a.port)) : kEfault;
        }
        case pub::kEvtchnOpBindVcpu: {
            pub::evtchn_bind_vcpu a{};
            return memory.read(arg, a) ? errno_of(events.bind_vcpu(a.port, a.vcpu)) : kEfault;
        }
        case pub::kEvtchnOpStatus:
            return with_struct<pub::evtchn_status>(memory, arg, [&](auto& a) {
                EventChannels* table = table_of(events, others, a.dom);
                if (table == nullptr)
                    return kEsrch;
                auto s = table->status(a.port);
                if (!s.ok())
                    return errno_of(s.status());
                a = s.value();
                return std::int64_t{0};
            });
        default:
            return kEnosys;  // init_control, expand_array, set_priority (FIFO), reset
    }
}

}  // namespace tern::hv
