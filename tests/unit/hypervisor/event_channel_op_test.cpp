// event_channel_op: hypercall 32 decoded from guest memory, its answers written back, bad
// pointers and other domains refused with Xen's errors.
#include "common/event_channel_op.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "buffer_guest_memory.hpp"
#include "common/guest_errno.hpp"

namespace tern::hv {
namespace {

struct NoUpcalls final : UpcallSink {
    void raise_upcall(std::uint32_t) override {}
};

struct World {
    World() : events(0, 2, upcalls) { events.attach_shared_info(shared.get()); }
    template <class T>
    std::int64_t call(unsigned cmd, T& arg) {
        memory.write(BufferGuestMemory::kBase, arg);
        const std::int64_t r = event_channel_op(events, memory, cmd, BufferGuestMemory::kBase);
        memory.read(BufferGuestMemory::kBase, arg);
        return r;
    }
    NoUpcalls upcalls;
    std::unique_ptr<pub::shared_info> shared = std::make_unique<pub::shared_info>();
    EventChannels events;
    BufferGuestMemory memory;
};

TEST(EventChannelOp, AllocUnboundAnswersThePortInTheCallersStruct) {
    World w;
    pub::evtchn_alloc_unbound a{pub::kDomidSelf, pub::kDomidSelf, 0};
    EXPECT_EQ(w.call(pub::kEvtchnOpAllocUnbound, a), 0);
    EXPECT_EQ(a.port, 1u);
    pub::evtchn_status s{};
    s.dom = pub::kDomidSelf;
    s.port = 1;
    EXPECT_EQ(w.call(pub::kEvtchnOpStatus, s), 0);
    EXPECT_EQ(s.status, pub::kEvtchnStatUnbound);
    EXPECT_EQ(s.u.unbound.dom, 0);
}

TEST(EventChannelOp, XenstoredStyleSelfBindThenSend) {
    World w;
    pub::evtchn_alloc_unbound a{pub::kDomidSelf, 0, 0};
    ASSERT_EQ(w.call(pub::kEvtchnOpAllocUnbound, a), 0);
    pub::evtchn_bind_interdomain b{0, a.port, 0};
    ASSERT_EQ(w.call(pub::kEvtchnOpBindInterdomain, b), 0);
    EXPECT_NE(b.local_port, a.port);
    w.shared->evtchn_pending[0] = 0;
    pub::evtchn_send send{b.local_port};
    EXPECT_EQ(w.call(pub::kEvtchnOpSend, send), 0);
    EXPECT_TRUE(w.events.is_pending(a.port));
}

TEST(EventChannelOp, BadPointersOtherDomainsAndFifoAreRefused) {
    World w;
    EXPECT_EQ(event_channel_op(w.events, w.memory, pub::kEvtchnOpAllocUnbound, 0x1234), kEfault);
    EXPECT_EQ(event_channel_op(w.events, w.memory, pub::kEvtchnOpSend,
                               BufferGuestMemory::kBase + 4096 - 2),
              kEfault);
    pub::evtchn_alloc_unbound other{5, 0, 0};
    EXPECT_EQ(w.call(pub::kEvtchnOpAllocUnbound, other), kEsrch);
    pub::evtchn_bind_interdomain b{7, 1, 0};
    EXPECT_EQ(w.call(pub::kEvtchnOpBindInterdomain, b), kEsrch);
    std::uint8_t init_control[24] = {};
    EXPECT_EQ(w.call(pub::kEvtchnOpInitControl, init_control), kEnosys);
    pub::evtchn_send closed{9};
    EXPECT_EQ(w.call(pub::kEvtchnOpSend, closed), kEinval);
    pub::evtchn_bind_vcpu to_nobody{1, 5};
    EXPECT_EQ(w.call(pub::kEvtchnOpBindVcpu, to_nobody),
              kEnoent);  // no vCPU 5, as Xen checks first
}

TEST(EventChannelOp, VirqsBindOncePerVcpu) {
    World w;
    pub::evtchn_bind_virq console{pub::kVirqConsole, 0, 0};
    EXPECT_EQ(w.call(pub::kEvtchnOpBindVirq, console), 0);
    EXPECT_EQ(console.port, 1u);
    EXPECT_EQ(w.call(pub::kEvtchnOpBindVirq, console), kEexist);
    pub::evtchn_bind_virq nowhere{pub::kVirqDebug, 7, 0};
    EXPECT_EQ(w.call(pub::kEvtchnOpBindVirq, nowhere), kEinval);
}

}  // namespace
}  // namespace tern::hv

namespace tern::hv {
namespace {

// dom0 naming another domain through the lookup (the control domain's view).
struct TwoDomains final : DomainEventsLookup {
    TwoDomains() : guest(5, 1, upcalls) { guest.attach_shared_info(guest_shared.get()); }
    EventChannels* events_of(pub::domid_t domain) override {
        return domain == 5 ? &guest : nullptr;
    }
    template <class T>
    std::int64_t call(unsigned cmd, T& arg, DomainEventsLookup* others) {
        dom0.memory.write(BufferGuestMemory::kBase, arg);
        const std::int64_t r =
            event_channel_op(dom0.events, dom0.memory, cmd, BufferGuestMemory::kBase, others);
        dom0.memory.read(BufferGuestMemory::kBase, arg);
        return r;
    }
    World dom0;
    NoUpcalls upcalls;
    std::unique_ptr<pub::shared_info> guest_shared = std::make_unique<pub::shared_info>();
    EventChannels guest;
};

TEST(EventChannelOp, TheControlDomainConnectsToAnotherDomainsUnboundPort) {
    TwoDomains t;
    // dom0 makes a port in the guest that dom0 (SELF) may bind, as a toolstack does for the
    // guest's xenstore and console channels.
    pub::evtchn_alloc_unbound a{5, pub::kDomidSelf, 0};
    ASSERT_EQ(t.call(pub::kEvtchnOpAllocUnbound, a, &t), 0);
    EXPECT_EQ(t.guest.status(a.port)->u.unbound.dom, 0);
    pub::evtchn_bind_interdomain b{5, a.port, 0};
    ASSERT_EQ(t.call(pub::kEvtchnOpBindInterdomain, b, &t), 0);
    pub::evtchn_send send{b.local_port};
    EXPECT_EQ(t.call(pub::kEvtchnOpSend, send, &t), 0);
    EXPECT_TRUE(t.guest.is_pending(a.port));
    pub::evtchn_status s{};
    s.dom = 5;
    s.port = a.port;
    ASSERT_EQ(t.call(pub::kEvtchnOpStatus, s, &t), 0);
    EXPECT_EQ(s.status, pub::kEvtchnStatInterdomain);
    EXPECT_EQ(s.u.interdomain.dom, 0);
    EXPECT_EQ(s.u.interdomain.port, b.local_port);
    // The guest goes: dom0's end waits again, unbound, and sending there does nothing.
    t.guest.close_all();
    EXPECT_EQ(t.dom0.events.status(b.local_port)->status, pub::kEvtchnStatUnbound);
    EXPECT_EQ(t.call(pub::kEvtchnOpSend, send, &t), 0);
}

TEST(EventChannelOp, WithoutTheLookupOtherDomainsDoNotExist) {
    TwoDomains t;
    pub::evtchn_alloc_unbound a{5, 0, 0};
    EXPECT_EQ(t.call(pub::kEvtchnOpAllocUnbound, a, nullptr), kEsrch);
    pub::evtchn_alloc_unbound guest_port{7, 0, 0};
    EXPECT_EQ(t.call(pub::kEvtchnOpAllocUnbound, guest_port, &t), kEsrch);  // no domain 7
    // A port the guest made for someone else cannot be bound by dom0.
    auto other = t.guest.alloc_unbound(9);
    ASSERT_TRUE(other.ok());
    pub::evtchn_bind_interdomain b{5, other.value(), 0};
    EXPECT_EQ(t.call(pub::kEvtchnOpBindInterdomain, b, &t), kEinval);
}

}  // namespace
}  // namespace tern::hv
