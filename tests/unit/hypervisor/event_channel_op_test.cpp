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
