// EventChannels: the 2-level ABI's port table and bitmaps, checked against the rules of
// ../shared/reference/xen-arm-abi.md §4.
#include "common/event_channels.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <thread>
#include <vector>

namespace tern::hv {
namespace {

struct RecordingUpcalls final : UpcallSink {
    void raise_upcall(std::uint32_t vcpu) override { raised.push_back(vcpu); }
    std::vector<std::uint32_t> raised;
};

struct Guest {
    explicit Guest(pub::domid_t id = 0, std::uint32_t vcpus = 2) : events(id, vcpus, upcalls) {
        shared = std::make_unique<pub::shared_info>();
        events.attach_shared_info(shared.get());
    }
    RecordingUpcalls upcalls;
    std::unique_ptr<pub::shared_info> shared;
    EventChannels events;
};

TEST(EventChannels, PortsStartAtOneAndAllocUnboundRemembersTheRemote) {
    Guest g;
    auto a = g.events.alloc_unbound(pub::kDomidSelf);
    auto b = g.events.alloc_unbound(7);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a.value(), 1u);
    EXPECT_EQ(b.value(), 2u);
    auto s = g.events.status(b.value());
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->status, pub::kEvtchnStatUnbound);
    EXPECT_EQ(s->u.unbound.dom, 7);
    EXPECT_EQ(g.events.status(a.value())->u.unbound.dom, 0);  // SELF resolves to the caller
    EXPECT_EQ(g.events.status(0).status(), Status::invalid_argument);
    EXPECT_EQ(g.events.status(5)->status, pub::kEvtchnStatClosed);
}

TEST(EventChannels, SendOnASelfConnectedPairMakesThePeerPendingAndRaisesTheUpcall) {
    Guest g;
    auto unbound = g.events.alloc_unbound(pub::kDomidSelf);
    auto bound = g.events.bind_interdomain(g.events, unbound.value());
    ASSERT_TRUE(bound.ok());
    // The new port starts pending (notifications before the bind are not lost).
    EXPECT_TRUE(g.events.is_pending(bound.value()));
    EXPECT_EQ(g.events.status(unbound.value())->status, pub::kEvtchnStatInterdomain);
    EXPECT_EQ(g.events.status(unbound.value())->u.interdomain.port, bound.value());
    g.upcalls.raised.clear();
    g.shared->vcpu_info[0].evtchn_upcall_pending = 0;
    g.shared->vcpu_info[0].evtchn_pending_sel = 0;
    ASSERT_EQ(g.events.send(bound.value()), Status::ok);
    EXPECT_TRUE(g.events.is_pending(unbound.value()));
    EXPECT_EQ(g.shared->vcpu_info[0].evtchn_upcall_pending, 1);
    EXPECT_EQ(g.shared->vcpu_info[0].evtchn_pending_sel, 1u);  // word 0 holds ports 0-63
    EXPECT_EQ(g.upcalls.raised, std::vector<std::uint32_t>{0});
    // Already pending: nothing more to raise.
    ASSERT_EQ(g.events.send(bound.value()), Status::ok);
    EXPECT_EQ(g.upcalls.raised.size(), 1u);
}

TEST(EventChannels, BindInterdomainNeedsAPortWaitingForTheCaller) {
    Guest dom0(0), domu(5, 1);
    auto for_other = domu.events.alloc_unbound(9);
    EXPECT_EQ(dom0.events.bind_interdomain(domu.events, for_other.value()).status(),
              Status::invalid_argument);
    EXPECT_EQ(dom0.events.bind_interdomain(domu.events, 77).status(), Status::invalid_argument);
    auto for_dom0 = domu.events.alloc_unbound(0);
    auto back = dom0.events.bind_interdomain(domu.events, for_dom0.value());
    ASSERT_TRUE(back.ok());
    // Sending from dom0 lands in the domU's bitmaps, on its vCPU.
    ASSERT_EQ(dom0.events.send(back.value()), Status::ok);
    EXPECT_TRUE(domu.events.is_pending(for_dom0.value()));
    EXPECT_EQ(domu.upcalls.raised, std::vector<std::uint32_t>{0});
    // Closing one end puts the other back to unbound, waiting for the closer's domain.
    ASSERT_EQ(dom0.events.close(back.value()), Status::ok);
    auto s = domu.events.status(for_dom0.value());
    EXPECT_EQ(s->status, pub::kEvtchnStatUnbound);
    EXPECT_EQ(s->u.unbound.dom, 0);
    EXPECT_EQ(domu.events.send(for_dom0.value()), Status::ok);  // unbound: ignored
    EXPECT_EQ(dom0.events.close(back.value()), Status::invalid_argument);
}

TEST(EventChannels, AMaskedPortIsDeliveredByUnmask) {
    Guest g;
    auto port = g.events.bind_ipi(1);
    ASSERT_TRUE(port.ok());
    pub::vcpu_info info1{};
    ASSERT_EQ(g.events.attach_vcpu_info(1, &info1), Status::ok);
    g.upcalls.raised.clear();
    info1 = {};
    g.shared->evtchn_mask[0] |= 1ull << port.value();
    ASSERT_EQ(g.events.send(port.value()), Status::ok);
    EXPECT_TRUE(g.events.is_pending(port.value()));
    EXPECT_TRUE(g.upcalls.raised.empty());
    EXPECT_EQ(info1.evtchn_upcall_pending, 0);
    ASSERT_EQ(g.events.unmask(port.value()), Status::ok);
    EXPECT_FALSE(g.events.is_masked(port.value()));
    EXPECT_EQ(info1.evtchn_upcall_pending, 1);
    EXPECT_EQ(g.upcalls.raised, std::vector<std::uint32_t>{1});
}

TEST(EventChannels, RegisteringAVcpuInfoRaisesASpuriousUpcallOnceOnly) {
    Guest g;
    pub::vcpu_info info{};
    ASSERT_EQ(g.events.attach_vcpu_info(0, &info), Status::ok);
    EXPECT_EQ(info.evtchn_pending_sel, ~0ull);
    EXPECT_EQ(info.evtchn_upcall_pending, 1);
    EXPECT_EQ(g.upcalls.raised, std::vector<std::uint32_t>{0});
    EXPECT_EQ(g.events.attach_vcpu_info(0, &info), Status::invalid_argument);
    EXPECT_EQ(g.events.attach_vcpu_info(2, &info), Status::invalid_argument);
}

TEST(EventChannels, VirqsBindOncePerVcpuAndFollowBindVcpu) {
    Guest g;
    auto console = g.events.bind_virq(pub::kVirqConsole, 0);
    ASSERT_TRUE(console.ok());
    EXPECT_EQ(g.events.bind_virq(pub::kVirqConsole, 0).status(), Status::already_exists);
    EXPECT_EQ(g.events.bind_virq(pub::kNrVirqs, 0).status(), Status::invalid_argument);
    EXPECT_EQ(g.events.bind_virq(pub::kVirqConsole, 9).status(), Status::invalid_argument);
    EXPECT_EQ(g.events.status(console.value())->status, pub::kEvtchnStatVirq);
    EXPECT_EQ(g.events.status(console.value())->u.virq, pub::kVirqConsole);
    EXPECT_TRUE(g.events.send_virq(pub::kVirqConsole, 0));
    EXPECT_TRUE(g.events.is_pending(console.value()));
    EXPECT_FALSE(g.events.send_virq(pub::kVirqDebug, 0));
    EXPECT_EQ(g.events.send(console.value()), Status::invalid_argument);  // not sendable
    ASSERT_EQ(g.events.bind_vcpu(console.value(), 1), Status::ok);
    EXPECT_EQ(g.events.status(console.value())->vcpu, 1u);
    EXPECT_EQ(g.events.bind_vcpu(console.value(), 2), Status::not_found);
    // A global VIRQ moved to vCPU 1 (Linux's evtchn device balances its ports so) is still
    // raised as the hypervisor raises it, and now notifies vCPU 1.
    pub::vcpu_info vcpu1{};
    ASSERT_EQ(g.events.attach_vcpu_info(1, &vcpu1), Status::ok);
    g.shared->evtchn_pending[0] = 0;
    vcpu1.evtchn_pending_sel = 0;
    vcpu1.evtchn_upcall_pending = 0;
    g.upcalls.raised.clear();
    EXPECT_TRUE(g.events.send_virq(pub::kVirqConsole, 0));
    EXPECT_TRUE(g.events.is_pending(console.value()));
    EXPECT_EQ(g.upcalls.raised, std::vector<std::uint32_t>{1});
    ASSERT_EQ(g.events.close(console.value()), Status::ok);
    EXPECT_FALSE(g.events.send_virq(pub::kVirqConsole, 1));
    EXPECT_TRUE(g.events.bind_virq(pub::kVirqConsole, 0).ok());  // free to bind again
}

TEST(EventChannels, PortsRunOutCleanlyAndAreReused) {
    Guest g;
    for (std::uint32_t i = 1; i < EventChannels::kMaxPorts; ++i)
        ASSERT_TRUE(g.events.alloc_unbound(0).ok()) << i;
    EXPECT_EQ(g.events.alloc_unbound(0).status(), Status::out_of_range);
    ASSERT_EQ(g.events.close(100), Status::ok);
    EXPECT_EQ(g.events.alloc_unbound(0).value_or(0), 100u);
    EXPECT_EQ(g.events.close(EventChannels::kMaxPorts), Status::invalid_argument);
}

TEST(EventChannels, ConcurrentSendersRaiseExactlyOneUpcallPerSelectorEdge) {
    struct CountingUpcalls final : UpcallSink {
        void raise_upcall(std::uint32_t) override { count.fetch_add(1); }
        std::atomic<int> count{0};
    } upcalls;
    auto shared = std::make_unique<pub::shared_info>();
    EventChannels events(0, 2, upcalls);
    events.attach_shared_info(shared.get());
    std::vector<pub::evtchn_port_t> ports;
    for (int i = 0; i < 64; ++i)
        ports.push_back(events.bind_ipi(0).value());
    std::vector<std::thread> senders;
    for (int t = 0; t < 4; ++t) {
        senders.emplace_back([&] {
            for (auto p : ports)
                (void)events.send(p);
        });
    }
    for (auto& s : senders)
        s.join();
    for (auto p : ports)
        EXPECT_TRUE(events.is_pending(p));
    EXPECT_EQ(upcalls.count.load(), 1);  // one 0 -> 1 edge of evtchn_upcall_pending
    EXPECT_EQ(shared->vcpu_info[0].evtchn_pending_sel, 0x3u);  // ports 1-64: words 0 and 1
}

}  // namespace
}  // namespace tern::hv
