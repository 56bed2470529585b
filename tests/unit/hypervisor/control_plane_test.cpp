// ControlPlane and DomainTable: Tern's control ABI as dom0 user space sees it through
// privcmd — version and caller checks, the life of a domain, memory coming back exactly,
// and a clear errno for every refusal.
#include "common/control_plane.hpp"

#include <gtest/gtest.h>

#include <memory>

#include "buffer_guest_memory.hpp"
#include "common/guest_errno.hpp"
#include "fake_machine_memory.hpp"

namespace tern::hv {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;
constexpr std::uint64_t kCall = BufferGuestMemory::kBase;  // the struct at the buffer's start
constexpr std::uint64_t kList = BufferGuestMemory::kBase + 1024;

struct NoUpcalls final : UpcallSink {
    void raise_upcall(std::uint32_t) override {}
};

struct World {
    FakeMachineMemory machine{{{0x40000000, 512 * kMiB}}};
    DomainTable domains{machine};
    ControlPlane control{domains, machine, 2};
    BufferGuestMemory memory{8192};
    NoUpcalls upcalls;
    EventChannels dom0_events{0, 2, upcalls};
    std::unique_ptr<pub::shared_info> dom0_shared = std::make_unique<pub::shared_info>();

    World() {
        dom0_events.attach_shared_info(dom0_shared.get());
        control.set_control_events(&dom0_events);
    }

    tern_control call(tern_control c, std::int64_t expect, pub::domid_t caller = 0) {
        EXPECT_TRUE(memory.write(kCall, c));
        EXPECT_EQ(control.op(caller, memory, kCall), expect) << "cmd " << c.cmd;
        tern_control out{};
        EXPECT_TRUE(memory.read(kCall, out));
        return out;
    }
    static tern_control make(std::uint32_t cmd, std::uint32_t domain = 0) {
        tern_control c{};
        c.interface_version = TERN_CONTROL_INTERFACE_VERSION;
        c.cmd = cmd;
        c.domain = domain;
        return c;
    }
    std::uint32_t create(std::uint64_t mib = 64, std::uint32_t vcpus = 1) {
        tern_control c = make(TERN_CONTROL_CREATE);
        c.u.create.max_vcpus = vcpus;
        c.u.create.max_memory_kib = mib * 1024;
        return call(c, 0).domain;
    }
    std::uint64_t free_pages() {
        return call(make(TERN_CONTROL_PHYSINFO), 0).u.physinfo.free_pages;
    }
    void populate(std::uint32_t domain, std::uint64_t gfn, std::uint64_t pages,
                  std::int64_t expect = 0) {
        tern_control c = make(TERN_CONTROL_POPULATE_MEMORY, domain);
        c.u.memory = {gfn, pages, 0};
        EXPECT_EQ(call(c, expect).u.memory.done, expect == 0 ? pages : 0);
    }
    tern_domain_info info(std::uint32_t domain) {
        return call(make(TERN_CONTROL_GET_INFO, domain), 0).u.info;
    }
};

TEST(ControlPlane, TheStructLayoutIsFixed) {
    static_assert(sizeof(tern_control) == 128);
    static_assert(sizeof(tern_domain_info) == 56);
    static_assert(offsetof(tern_control, u) == 16);
}

TEST(ControlPlane, AVersionMismatchIsRefusedWithOursInTheAnswer) {
    World w;
    tern_control c = World::make(TERN_CONTROL_CREATE);
    c.interface_version = 0x544e0001;
    c.u.create.max_vcpus = 1;
    c.u.create.max_memory_kib = 1024;
    EXPECT_EQ(w.call(c, kEacces).interface_version, TERN_CONTROL_INTERFACE_VERSION);
    EXPECT_EQ(w.domains.count(), 0u);
}

TEST(ControlPlane, OnlyTheControlDomainMayCall) {
    World w;
    tern_control c = World::make(TERN_CONTROL_PHYSINFO);
    w.call(c, kEperm, 1);
    w.call(c, kEperm, 7);
    EXPECT_EQ(w.control.op(0, w.memory, 0x1000), kEfault);  // an address it cannot read
}

TEST(ControlPlane, CreateListPopulateDestroyGivesEveryPageBack) {
    World w;
    const std::uint64_t before = w.free_pages();
    for (int round = 0; round < 20; ++round) {
        const std::uint32_t id = w.create(64, 2);
        w.populate(id, TERN_GUEST_RAM0_BASE >> kPageShift, 16384);
        w.populate(id, TERN_GUEST_MAGIC_BASE >> kPageShift, 4, kEnomem);  // over 64 MiB
        tern_domain_info i = w.info(id);
        EXPECT_EQ(i.domain, id);
        EXPECT_EQ(i.state, TERN_DOMAIN_PAUSED);
        EXPECT_EQ(i.pages, 16384u);
        EXPECT_EQ(i.max_pages, 16384u);
        EXPECT_EQ(i.vcpus, 2u);
        EXPECT_EQ(w.free_pages(), before - 16384);  // (the fake keeps objects on the heap)
        // Its stage 2 maps its RAM where its memory is, with its own VMID.
        const Domain* d = w.domains.find(static_cast<pub::domid_t>(id));
        ASSERT_NE(d, nullptr);
        EXPECT_EQ(d->stage2().translate(TERN_GUEST_RAM0_BASE + 0x12345)->value,
                  d->memory().machine_of(TERN_GUEST_RAM0_BASE >> kPageShift)->value + 0x12345);
        EXPECT_FALSE(d->stage2().translate(TERN_GUEST_RAM0_BASE + (64ull << 20)).has_value());
        EXPECT_GE(d->stage2().vmid(), 2u);
        w.call(World::make(TERN_CONTROL_DESTROY, id), 0);
        EXPECT_EQ(w.free_pages(), before);
        w.call(World::make(TERN_CONTROL_GET_INFO, id), kEsrch);
    }
    EXPECT_EQ(w.machine.live_objects, 0);
}

TEST(ControlPlane, DomainsItCreatesHaveTheirRamMappedAsItWasTold) {
    World w;
    const std::uint32_t blocks = w.create(64, 1);
    w.populate(blocks, TERN_GUEST_RAM0_BASE >> kPageShift, 16384);
    w.control.set_domain_stage2(Stage2Granule::pages);
    const std::uint32_t pages = w.create(64, 1);
    w.populate(pages, TERN_GUEST_RAM0_BASE >> kPageShift, 16384);
    const Domain* b = w.domains.find(static_cast<pub::domid_t>(blocks));
    const Domain* p = w.domains.find(static_cast<pub::domid_t>(pages));
    ASSERT_NE(b, nullptr);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->config().stage2_granule, Stage2Granule::pages);
    EXPECT_EQ(b->config().stage2_granule, Stage2Granule::blocks);
    // 64 MiB in 4 KiB pages: the root, a level-2 table and one level-3 table per 2 MiB.
    EXPECT_EQ(p->stage2().tables_in_use(), 2u + 32u);
    EXPECT_LT(b->stage2().tables_in_use(), p->stage2().tables_in_use());
    EXPECT_EQ(p->stage2().translate(TERN_GUEST_RAM0_BASE + 0x12345)->value,
              p->memory().machine_of(TERN_GUEST_RAM0_BASE >> kPageShift)->value + 0x12345);
}

TEST(ControlPlane, IdsAreNotReusedAtOnceAndListingPagesInIdOrder) {
    World w;
    const std::uint32_t a = w.create();
    const std::uint32_t b = w.create();
    w.call(World::make(TERN_CONTROL_DESTROY, a), 0);
    const std::uint32_t c = w.create();
    EXPECT_EQ(a, 1u);
    EXPECT_EQ(b, 2u);
    EXPECT_EQ(c, 3u);
    tern_control l = World::make(TERN_CONTROL_LIST);
    l.u.list = {0, 1, kList, 0};
    EXPECT_EQ(w.call(l, 0).u.list.returned, 1u);
    tern_domain_info first{};
    ASSERT_TRUE(w.memory.read(kList, first));
    EXPECT_EQ(first.domain, b);
    l.u.list = {b + 1, 8, kList, 0};
    EXPECT_EQ(w.call(l, 0).u.list.returned, 1u);
    ASSERT_TRUE(w.memory.read(kList, first));
    EXPECT_EQ(first.domain, c);
    l.u.list = {0, 8, 0x10, 0};  // a buffer it cannot write
    w.call(l, kEinval);
}

TEST(ControlPlane, TheTableHasALimit) {
    World w;
    for (std::uint32_t i = 0; i < DomainTable::kMaxDomains; ++i)
        w.create(1);
    tern_control c = World::make(TERN_CONTROL_CREATE);
    c.u.create = {1, 0, 0, 0, 1024, {}};
    w.call(c, kEnomem);
}

TEST(ControlPlane, BadArgumentsGetTheirErrno) {
    World w;
    tern_control c = World::make(TERN_CONTROL_CREATE);
    c.u.create = {0, 0, 0, 0, 1024, {}};  // no vCPU
    w.call(c, kEinval);
    c.u.create = {TERN_MAX_VCPUS + 1, 0, 0, 0, 1024, {}};
    w.call(c, kEinval);
    c.u.create = {1, 0, 0, 1, 1024, {}};  // unknown flag
    w.call(c, kEinval);
    c.u.create = {1, 0, 0, 0, 0, {}};  // no memory
    w.call(c, kEinval);
    w.machine.refuse_objects = true;
    c.u.create = {1, 0, 0, 0, 1024, {}};
    w.call(c, kEnomem);
    w.machine.refuse_objects = false;
    w.call(World::make(99), kEopnotsupp);
    w.call(World::make(TERN_CONTROL_PAUSE, 42), kEsrch);
    w.call(World::make(TERN_CONTROL_PAUSE, 0x10000), kEsrch);
    const std::uint32_t id = w.create();
    w.populate(id, 0, 1, kEinval);  // not in the guest layout
    tern_control v = World::make(TERN_CONTROL_SET_VCPU_CONTEXT, id);
    v.u.vcpu_context = {1, 0, 0x40080000, 0x48000000};  // it has one vCPU
    w.call(v, kEinval);
    v.u.vcpu_context = {0, 0, 0x40080000, 0x48000000};
    w.call(v, 0);
    ASSERT_TRUE(w.domains.find(static_cast<pub::domid_t>(id))->vcpu_start(0).has_value());
    EXPECT_EQ(w.domains.find(static_cast<pub::domid_t>(id))->vcpu_start(0)->entry, 0x40080000u);
    tern_control p = World::make(TERN_CONTROL_SET_HVM_PARAM, id);
    p.u.hvm_param = {Domain::kNrHvmParams, 0, 1};
    w.call(p, kEinval);
    p.u.hvm_param = {1, 0, 0x39001};  // HVM_PARAM_STORE_PFN
    w.call(p, 0);
    p = World::make(TERN_CONTROL_GET_HVM_PARAM, id);
    p.u.hvm_param.index = 1;
    EXPECT_EQ(w.call(p, 0).u.hvm_param.value, 0x39001u);
}

TEST(ControlPlane, ShutdownKeepsTheFirstReasonAndTellsDom0) {
    World w;
    auto port = w.dom0_events.bind_virq(pub::kVirqDomExc, 0);
    ASSERT_TRUE(port.ok());
    const std::uint32_t id = w.create();
    EXPECT_FALSE(w.dom0_events.is_pending(port.value()));
    tern_control s = World::make(TERN_CONTROL_SHUTDOWN, id);
    s.u.shutdown.reason = TERN_SHUTDOWN_CRASH;
    w.call(s, 0);
    EXPECT_TRUE(w.dom0_events.is_pending(port.value()));
    s.u.shutdown.reason = TERN_SHUTDOWN_REBOOT;
    w.call(s, 0);
    EXPECT_EQ(w.info(id).state, TERN_DOMAIN_SHUTDOWN);
    EXPECT_EQ(w.info(id).shutdown_reason, TERN_SHUTDOWN_CRASH);
    w.call(World::make(TERN_CONTROL_PAUSE, id), kEbusy);
    s.u.shutdown.reason = 9;
    w.call(s, kEinval);
    // With nothing that runs vCPUs, unpausing is refused, not pretended.
    const std::uint32_t other = w.create();
    w.call(World::make(TERN_CONTROL_UNPAUSE, other), kEopnotsupp);
    EXPECT_EQ(w.info(other).state, TERN_DOMAIN_PAUSED);
}

struct FakeRunner final : DomainRunner {
    Status start(Domain& d) override {
        started.push_back(d.id());
        for (pub::domid_t p : paused) {
            if (p == d.id())
                return Status::ok;  // it runs again where it was
        }
        return free_cpus-- > 0 ? Status::ok : Status::busy;
    }
    void pause(Domain& d) override { paused.push_back(d.id()); }
    void stop(Domain& d) override { stopped.push_back(d.id()); }
    int free_cpus = 1;
    std::vector<pub::domid_t> started;
    std::vector<pub::domid_t> paused;
    std::vector<pub::domid_t> stopped;
};

TEST(ControlPlane, UnpauseRunsABuiltDomainAndEveryEndStopsItsVcpusFirst) {
    World w;
    FakeRunner runner;
    w.control.set_runner(&runner);
    const std::uint32_t id = w.create();
    w.call(World::make(TERN_CONTROL_UNPAUSE, id), kEinval);  // vCPU 0 has no entry yet
    tern_control v = World::make(TERN_CONTROL_SET_VCPU_CONTEXT, id);
    v.u.vcpu_context = {0, 0, 0x40000000, 0x40e00000};
    w.call(v, 0);
    w.call(World::make(TERN_CONTROL_UNPAUSE, id), 0);
    EXPECT_EQ(w.info(id).state, TERN_DOMAIN_RUNNING);
    w.call(World::make(TERN_CONTROL_UNPAUSE, id), 0);  // already running: nothing more
    EXPECT_EQ(runner.started.size(), 1u);
    // Paused while running: its vCPUs leave their CPUs; unpaused, they go on.
    w.call(World::make(TERN_CONTROL_PAUSE, id), 0);
    EXPECT_EQ(runner.paused, std::vector<pub::domid_t>{static_cast<pub::domid_t>(id)});
    EXPECT_EQ(w.info(id).state, TERN_DOMAIN_PAUSED);
    w.call(World::make(TERN_CONTROL_PAUSE, id), 0);  // again: nothing more
    EXPECT_EQ(runner.paused.size(), 1u);
    w.call(v, kEbusy);  // its vCPUs' entry is set only before it first ran
    w.call(World::make(TERN_CONTROL_UNPAUSE, id), 0);
    EXPECT_EQ(w.info(id).state, TERN_DOMAIN_RUNNING);
    EXPECT_EQ(runner.started.size(), 2u);
    // Its own vCPU shuts it down: recorded with the reason, dom0 told once.
    auto port = w.dom0_events.bind_virq(pub::kVirqDomExc, 0);
    ASSERT_TRUE(port.ok());
    w.control.domain_shut_itself_down(*w.domains.find(static_cast<pub::domid_t>(id)),
                                      TERN_SHUTDOWN_REBOOT);
    EXPECT_TRUE(w.dom0_events.is_pending(port.value()));
    EXPECT_EQ(w.info(id).shutdown_reason, TERN_SHUTDOWN_REBOOT);
    w.call(World::make(TERN_CONTROL_UNPAUSE, id), kEbusy);
    w.call(World::make(TERN_CONTROL_DESTROY, id), 0);
    EXPECT_EQ(runner.stopped, std::vector<pub::domid_t>{static_cast<pub::domid_t>(id)});
    // No CPU for the next one: busy, and it stays paused.
    const std::uint32_t next = w.create();
    v.domain = next;
    w.call(v, 0);
    w.call(World::make(TERN_CONTROL_UNPAUSE, next), kEbusy);
    EXPECT_EQ(w.info(next).state, TERN_DOMAIN_PAUSED);
    tern_control s = World::make(TERN_CONTROL_SHUTDOWN, next);
    w.call(s, 0);
    EXPECT_EQ(runner.stopped.size(), 2u);
}

TEST(ControlPlane, AllocUnboundMakesAPortInTheTargetForAnExistingRemote) {
    World w;
    const std::uint32_t id = w.create();
    tern_control e = World::make(TERN_CONTROL_ALLOC_UNBOUND, id);
    e.u.evtchn.remote_domain = 0;
    const std::uint32_t port = w.call(e, 0).u.evtchn.port;
    EXPECT_EQ(port, 1u);
    auto status = w.domains.find(static_cast<pub::domid_t>(id))->events().status(port);
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(status->status, pub::kEvtchnStatUnbound);
    EXPECT_EQ(status->u.unbound.dom, 0);
    e.u.evtchn.remote_domain = 77;
    w.call(e, kEsrch);
}

TEST(ControlPlane, ReleaseGivesBackWhatWasBacked) {
    World w;
    const std::uint64_t before = w.free_pages();
    const std::uint32_t id = w.create(8);
    w.populate(id, TERN_GUEST_RAM0_BASE >> kPageShift, 2048);
    tern_control r = World::make(TERN_CONTROL_RELEASE_MEMORY, id);
    r.u.memory = {(TERN_GUEST_RAM0_BASE >> kPageShift) + 2000, 100, 0};
    EXPECT_EQ(w.call(r, 0).u.memory.done, 48u);
    EXPECT_EQ(w.info(id).pages, 2000u);
    const Domain* d = w.domains.find(static_cast<pub::domid_t>(id));
    EXPECT_FALSE(d->stage2().translate(TERN_GUEST_RAM0_BASE + 2000 * kPageSize).has_value());
    EXPECT_TRUE(d->stage2().translate(TERN_GUEST_RAM0_BASE + 1999 * kPageSize).has_value());
    w.call(World::make(TERN_CONTROL_DESTROY, id), 0);
    EXPECT_EQ(w.free_pages(), before);
}

TEST(ControlPlane, WriteMemoryCopiesTheCallersBytesIntoPopulatedPagesOnly) {
    World w;
    const std::uint32_t id = w.create(8);
    const std::uint64_t ram = TERN_GUEST_RAM0_BASE >> kPageShift;
    w.populate(id, ram, 2);
    // 300 bytes from the caller's buffer (across its page boundary) to the end of the guest's
    // first page and into its second.
    const std::uint64_t from = BufferGuestMemory::kBase + 4000;
    for (std::size_t i = 0; i < 300; ++i)
        w.memory.bytes[4000 + i] = static_cast<std::uint8_t>(i * 7 + 1);
    tern_control c = World::make(TERN_CONTROL_WRITE_MEMORY, id);
    c.u.write = {TERN_GUEST_RAM0_BASE + kPageSize - 100, from, 300};
    w.call(c, 0);
    const Domain* d = w.domains.find(static_cast<pub::domid_t>(id));
    for (std::uint64_t i = 0; i < 300; ++i) {
        const std::uint64_t gpa = TERN_GUEST_RAM0_BASE + kPageSize - 100 + i;
        const auto page = d->memory().machine_of(gpa >> kPageShift);
        ASSERT_TRUE(page.has_value());
        const auto byte = w.machine.written.find(page->value + (gpa & (kPageSize - 1)));
        ASSERT_NE(byte, w.machine.written.end()) << i;
        EXPECT_EQ(byte->second, static_cast<std::uint8_t>(i * 7 + 1)) << i;
    }
    EXPECT_EQ(w.machine.written.size(), 300u);
    // Past the populated pages, from an unreadable buffer, or too much at once: refused.
    c.u.write = {TERN_GUEST_RAM0_BASE + 2 * kPageSize - 10, from, 20};
    w.call(c, kEinval);
    c.u.write = {TERN_GUEST_RAM0_BASE, BufferGuestMemory::kBase + 8000, 400};
    w.call(c, kEinval);
    c.u.write = {TERN_GUEST_RAM0_BASE, from, TERN_CONTROL_WRITE_MAX + 1};
    w.call(c, kEinval);
    c.u.write = {TERN_GUEST_RAM0_BASE, from, 10};
    c.domain = id + 1;
    w.call(c, kEsrch);
}

}  // namespace
}  // namespace tern::hv

namespace tern::hv {
namespace {

TEST(ControlPlane, WeightCapAndAffinityGoToTheScheduler) {
    World w;
    const std::uint32_t id = w.create(64, 2);
    tern_control set = World::make(TERN_CONTROL_SCHED_SET, id);
    set.u.sched = {512, 50};
    w.call(set, kEopnotsupp);  // no scheduler: refused, not pretended
    Scheduler scheduler;
    scheduler.reset(0b110);
    w.control.set_scheduler(&scheduler);
    tern_control get = World::make(TERN_CONTROL_SCHED_GET, id);
    EXPECT_EQ(w.call(get, 0).u.sched.weight, SchedDomain::kDefaultWeight);
    w.call(set, 0);
    const tern_control_sched got = w.call(get, 0).u.sched;
    EXPECT_EQ(got.weight, 512u);
    EXPECT_EQ(got.cap, 50u);
    set.u.sched = {0, 0};
    w.call(set, kEinval);
    EXPECT_EQ(w.call(get, 0).u.sched.weight, 512u);
    set.domain = 99;
    w.call(set, kEsrch);

    tern_control pin = World::make(TERN_CONTROL_VCPU_AFFINITY, id);
    pin.u.affinity = {1, 0b100};
    w.call(pin, 0);
    EXPECT_EQ(w.domains.find(static_cast<pub::domid_t>(id))->sched().affinity[1], 0b100u);
    pin.u.affinity = {1, 0b1};  // dom0's CPU only
    w.call(pin, kEinval);
    pin.u.affinity = {2, 0b10};  // no such vCPU
    w.call(pin, kEinval);
}

TEST(ControlPlane, Dom0IsDomainZeroForItsInfoWeightCapAndAffinityOnly) {
    World w;
    Scheduler scheduler;
    scheduler.reset(0b11);
    w.control.set_scheduler(&scheduler);
    // Before the image hands dom0 over, domain 0 is no domain of the table.
    w.call(World::make(TERN_CONTROL_SCHED_GET, 0), kEsrch);
    SchedDomain dom0;
    dom0.cpu_time_ns.store(7'000'000'000);
    w.control.set_control_domain(&dom0, 2, 131072);

    const tern_domain_info info = w.info(0);
    EXPECT_EQ(info.domain, 0u);
    EXPECT_EQ(info.state, static_cast<std::uint32_t>(DomainState::running));
    EXPECT_EQ(info.vcpus, 2u);
    EXPECT_EQ(info.pages, 131072u);
    EXPECT_EQ(info.cpu_time_ns, 7'000'000'000u);

    tern_control set = World::make(TERN_CONTROL_SCHED_SET, 0);
    set.u.sched = {512, 0};
    w.call(set, 0);
    EXPECT_EQ(dom0.weight, 512u);
    EXPECT_EQ(w.call(World::make(TERN_CONTROL_SCHED_GET, 0), 0).u.sched.weight, 512u);
    set.u.sched = {70000, 0};  // the same checks as any domain's
    w.call(set, kEinval);
    EXPECT_EQ(dom0.weight, 512u);

    tern_control pin = World::make(TERN_CONTROL_VCPU_AFFINITY, 0);
    pin.u.affinity = {1, 0b10};
    w.call(pin, 0);
    EXPECT_EQ(dom0.affinity[1], 0b10u);
    pin.u.affinity = {2, 0b1};  // dom0 has 2 vCPUs
    w.call(pin, kEinval);
    pin.u.affinity = {0, 0b100};  // no such CPU
    w.call(pin, kEinval);
    EXPECT_EQ(dom0.affinity[0], ~0u);

    // Nothing else reaches dom0 through the control ABI.
    w.call(World::make(TERN_CONTROL_PAUSE, 0), kEinval);
    w.call(World::make(TERN_CONTROL_DESTROY, 0), kEinval);

    // The list starts with dom0, then the created domains.
    const std::uint32_t id = w.create();
    tern_control list = World::make(TERN_CONTROL_LIST);
    list.u.list.entries = kList;
    list.u.list.max_entries = 8;
    EXPECT_EQ(w.call(list, 0).u.list.returned, 2u);
    tern_domain_info entries[2]{};
    ASSERT_TRUE(w.memory.read(kList, entries));
    EXPECT_EQ(entries[0].domain, 0u);
    EXPECT_EQ(entries[0].vcpus, 2u);
    EXPECT_EQ(entries[1].domain, id);
    list.u.list.first_domain = 1;  // a caller paging past dom0 gets the others only
    EXPECT_EQ(w.call(list, 0).u.list.returned, 1u);
}

}  // namespace
}  // namespace tern::hv
