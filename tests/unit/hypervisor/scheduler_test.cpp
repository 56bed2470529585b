// Scheduler: fair shares by weight, caps, blocking and waking, migration between CPUs,
// pausing and stopping domains — driven by a simulated clock.
#include "common/scheduler.hpp"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace tern::hv {
namespace {

constexpr std::uint64_t kMs = 1'000'000;

struct World {
    Scheduler sched;
    std::vector<std::unique_ptr<SchedDomain>> domains;
    std::uint64_t now = kMs;
    // ns each (domain, vCPU) ran, and on which CPUs.
    std::map<std::pair<pub::domid_t, std::uint32_t>, std::uint64_t> ran;
    std::map<std::pair<pub::domid_t, std::uint32_t>, std::uint32_t> cpus_used;

    explicit World(std::uint32_t cpus) { sched.reset(cpus); }
    std::uint64_t ran_of(pub::domid_t d, std::uint32_t v) { return ran[{d, v}]; }
    std::uint32_t cpus_of(pub::domid_t d, std::uint32_t v) { return cpus_used[{d, v}]; }

    SchedDomain& domain(pub::domid_t id, std::uint32_t vcpus) {
        domains.push_back(std::make_unique<SchedDomain>());
        SchedDomain& d = *domains.back();
        d.id = id;
        for (std::uint32_t i = 0; i < vcpus; ++i) {
            auto v = sched.add(d, i);
            EXPECT_TRUE(v.ok());
            (void)sched.make_runnable(*v.value(), now);
        }
        return d;
    }

    // Runs the CPUs of `cpus` for `duration` in 1 ms steps, as the exception paths would:
    // an idle CPU picks, a busy one switches when told to.
    void run(std::uint32_t cpus, std::uint64_t duration) {
        const std::uint64_t end = now + duration;
        for (; now < end; now += kMs) {
            (void)sched.expire(now);
            for (std::size_t c = 0; c < Scheduler::kMaxCpus; ++c) {
                if (((cpus >> c) & 1u) == 0)
                    continue;
                if (sched.current(c) == nullptr)
                    (void)sched.pick(c, now);
                else if (sched.need_resched(c, now))
                    (void)sched.switch_from(c, now, 0);
                if (SchedVcpu* v = sched.current(c)) {
                    ran[{v->domain->id, v->vcpu}] += kMs;
                    cpus_used[{v->domain->id, v->vcpu}] |= 1u << c;
                }
            }
        }
    }
};

TEST(Scheduler, EqualWeightsShareOneCpuEqually) {
    World w(0b10);
    w.domain(1, 1);
    w.domain(2, 1);
    w.run(0b10, 1000 * kMs);
    const double a = static_cast<double>(w.ran_of(1, 0));
    const double b = static_cast<double>(w.ran_of(2, 0));
    EXPECT_NEAR(a / (a + b), 0.5, 0.02);
    EXPECT_GT(a + b, 990.0 * kMs);  // the CPU never idled with work waiting
}

TEST(Scheduler, WeightsSetTheShares) {
    World w(0b10);
    SchedDomain& light = w.domain(1, 1);
    SchedDomain& heavy = w.domain(2, 1);
    ASSERT_EQ(w.sched.set_params(light, 256, 0), Status::ok);
    ASSERT_EQ(w.sched.set_params(heavy, 768, 0), Status::ok);
    w.run(0b10, 2000 * kMs);
    const double a = static_cast<double>(w.ran_of(1, 0));
    const double b = static_cast<double>(w.ran_of(2, 0));
    EXPECT_NEAR(b / a, 3.0, 0.2);
}

TEST(Scheduler, ACapLimitsTheDomainEvenOnAnIdleCpu) {
    World w(0b10);
    SchedDomain& d = w.domain(1, 1);
    ASSERT_EQ(w.sched.set_params(d, 256, 25), Status::ok);
    w.run(0b10, 1000 * kMs);
    const double share = static_cast<double>(w.ran_of(1, 0)) / (1000.0 * kMs);
    EXPECT_NEAR(share, 0.25, 0.03);
    EXPECT_EQ(d.cpu_time_ns.load(), w.ran_of(1, 0) - kMs);  // the last step is not accounted yet
}

TEST(Scheduler, ACappedIdleCpuIsToldWhenThePeriodEnds) {
    World w(0b10);
    SchedDomain& d = w.domain(1, 1);
    ASSERT_EQ(w.sched.set_params(d, 256, 10), Status::ok);
    w.run(0b10, 20 * kMs);
    EXPECT_EQ(w.sched.current(1), nullptr);  // out of budget: the CPU idles
    const std::uint64_t next = w.sched.next_timer(1, w.now);
    EXPECT_EQ(next, d.period_start + Scheduler::kCapPeriodNs);
    EXPECT_NE(w.sched.expire(next), 0u);  // the new period: the idle CPU is kicked
    EXPECT_NE(w.sched.pick(1, next), nullptr);
}

TEST(Scheduler, BadParametersAreRefused) {
    World w(0b10);
    SchedDomain& d = w.domain(1, 1);
    EXPECT_EQ(w.sched.set_params(d, 0, 0), Status::invalid_argument);
    EXPECT_EQ(w.sched.set_params(d, 70000, 0), Status::invalid_argument);
    EXPECT_EQ(w.sched.set_params(d, 256, 100 * Scheduler::kMaxCpus + 1), Status::invalid_argument);
    EXPECT_EQ(d.weight, SchedDomain::kDefaultWeight);
}

TEST(Scheduler, ThreeVcpusOnTwoCpusAllRunAndMigrate) {
    World w(0b110);
    w.domain(1, 3);
    w.run(0b110, 900 * kMs);
    for (std::uint32_t i = 0; i < 3; ++i) {
        const double share = static_cast<double>(w.ran_of(1, i)) / (900.0 * kMs);
        EXPECT_NEAR(share, 2.0 / 3.0, 0.05) << "vCPU " << i;
        EXPECT_EQ(w.cpus_of(1, i), 0b110u) << "vCPU " << i << " ran on both CPUs";
    }
}

TEST(Scheduler, NoCpuOutsideItsSetIsEverUsed) {
    World w(0b100);
    w.domain(1, 2);
    w.run(0b111, 100 * kMs);
    EXPECT_EQ(w.cpus_of(1, 0) | w.cpus_of(1, 1), 0b100u);
}

TEST(Scheduler, ABlockedVcpuWaitsForAnInterruptAndAnIdleCpuIsKicked) {
    World w(0b10);
    SchedDomain& d = w.domain(1, 1);
    SchedVcpu* v = w.sched.pick(1, w.now);
    ASSERT_NE(v, nullptr);
    w.sched.block(*v, 0);
    EXPECT_TRUE(w.sched.need_resched(1, w.now));
    EXPECT_TRUE(w.sched.keeps_context(1));
    EXPECT_EQ(w.sched.switch_from(1, w.now, 0), nullptr);  // nothing else: the CPU idles
    w.run(0b10, 50 * kMs);
    EXPECT_EQ(w.ran_of(1, 0), 0u);  // blocked, no deadline: it never ran
    EXPECT_EQ(w.sched.wake(d, 0, w.now), 0b10u);
    EXPECT_EQ(w.sched.pick(1, w.now), v);
}

TEST(Scheduler, AWakeBeforeItLeftItsCpuKeepsItRunning) {
    World w(0b10);
    SchedDomain& d = w.domain(1, 1);
    SchedVcpu* v = w.sched.pick(1, w.now);
    w.sched.block(*v, 0);
    EXPECT_EQ(w.sched.wake(d, 0, w.now), 0b10u);  // its own CPU, to look at the interrupt
    EXPECT_EQ(v->state, VcpuState::running);
    EXPECT_FALSE(w.sched.need_resched(1, w.now));
}

TEST(Scheduler, ItsTimerOrDeadlineWakesABlockedVcpu) {
    World w(0b10);
    w.domain(1, 1);
    SchedVcpu* v = w.sched.pick(1, w.now);
    w.sched.block(*v, w.now + 30 * kMs);
    EXPECT_EQ(w.sched.switch_from(1, w.now, w.now + 20 * kMs), nullptr);
    EXPECT_EQ(w.sched.next_timer(1, w.now), w.now + 20 * kMs);  // the earlier of the two
    EXPECT_EQ(w.sched.expire(w.now + 19 * kMs), 0u);
    EXPECT_EQ(w.sched.expire(w.now + 20 * kMs), 0b10u);
    EXPECT_EQ(v->state, VcpuState::runnable);
}

TEST(Scheduler, ADeadlineAlreadyPastMeansItDoesNotBlock) {
    World w(0b10);
    w.domain(1, 1);
    SchedVcpu* v = w.sched.pick(1, w.now);
    w.sched.block(*v, 0);
    EXPECT_EQ(w.sched.switch_from(1, w.now, w.now - 1), v);
}

TEST(Scheduler, ASleeperGetsNoCreditForTheTimeItSlept) {
    World w(0b10);
    SchedDomain& sleeper = w.domain(1, 1);
    w.domain(2, 1);
    SchedVcpu* s = w.sched.find(sleeper, 0);
    ASSERT_EQ(w.sched.pick(1, w.now), s);  // equal virtual time: the first slot
    w.sched.block(*s, 0);
    (void)w.sched.switch_from(1, w.now, 0);
    w.run(0b10, 500 * kMs);  // domain 2 runs alone
    (void)w.sched.wake(sleeper, 0, w.now);
    w.ran.clear();
    w.run(0b10, 200 * kMs);
    const double a = static_cast<double>(w.ran_of(1, 0));
    const double b = static_cast<double>(w.ran_of(2, 0));
    EXPECT_NEAR(a / (a + b), 0.5, 0.1);  // shares again, rather than running 500 ms alone
}

TEST(Scheduler, YieldLetsTheOthersGoFirst) {
    World w(0b10);
    w.domain(1, 1);
    SchedDomain& other = w.domain(2, 1);
    SchedVcpu* first = w.sched.pick(1, w.now);
    EXPECT_FALSE(w.sched.need_resched(1, w.now));
    w.sched.yield(*first);
    EXPECT_TRUE(w.sched.need_resched(1, w.now));
    EXPECT_EQ(w.sched.switch_from(1, w.now, 0)->domain, &other);
}

TEST(Scheduler, YieldingAloneKeepsTheCpu) {
    World w(0b10);
    w.domain(1, 1);
    SchedVcpu* v = w.sched.pick(1, w.now);
    w.sched.yield(*v);
    EXPECT_FALSE(w.sched.need_resched(1, w.now));
}

TEST(Scheduler, PauseTakesTheVcpusOffTheirCpusUntilUnpause) {
    World w(0b110);
    SchedDomain& d = w.domain(1, 2);
    w.run(0b110, 5 * kMs);
    EXPECT_EQ(w.sched.pause(d), 0b110u);
    w.run(0b110, 5 * kMs);
    EXPECT_FALSE(w.sched.on_cpu(d));
    w.ran.clear();
    w.run(0b110, 50 * kMs);
    EXPECT_EQ(w.ran_of(1, 0) + w.ran_of(1, 1), 0u);
    EXPECT_EQ(w.sched.unpause(d, w.now), 0b110u);
    w.run(0b110, 50 * kMs);
    EXPECT_GT(w.ran_of(1, 0), 0u);
    EXPECT_GT(w.ran_of(1, 1), 0u);
}

TEST(Scheduler, StopForgetsTheDomainsVcpusOnceOffTheirCpus) {
    World w(0b10);
    SchedDomain& d = w.domain(1, 2);
    w.domain(2, 1);
    SchedVcpu* running = w.sched.pick(1, w.now);
    ASSERT_EQ(running->domain, &d);
    EXPECT_EQ(w.sched.stop(d), 0b10u);
    EXPECT_TRUE(w.sched.holds(d));  // the one on CPU 1 is still there
    EXPECT_EQ(w.sched.find(d, 1), nullptr);
    EXPECT_TRUE(w.sched.need_resched(1, w.now));
    EXPECT_FALSE(w.sched.keeps_context(1));
    EXPECT_EQ(w.sched.switch_from(1, w.now, 0)->domain->id, 2);
    EXPECT_FALSE(w.sched.holds(d));
    EXPECT_EQ(w.sched.add(d, 0).status(), Status::busy);
}

TEST(Scheduler, OfflineFreesTheSlotWhenItLeaves) {
    World w(0b10);
    SchedDomain& d = w.domain(1, 1);
    SchedVcpu* v = w.sched.pick(1, w.now);
    w.sched.go_offline(*v);
    EXPECT_FALSE(w.sched.is_online(d, 0));
    EXPECT_TRUE(w.sched.need_resched(1, w.now));
    EXPECT_FALSE(w.sched.keeps_context(1));
    EXPECT_EQ(w.sched.switch_from(1, w.now, 0), nullptr);
    EXPECT_EQ(w.sched.find(d, 0), nullptr);
    EXPECT_TRUE(w.sched.add(d, 0).ok());  // CPU_ON again
}

TEST(Scheduler, CpuOnRightAfterCpuOffStartsTheVcpuAfreshBeforeTheOldOneLeaves) {
    // PSCI: once CPU_OFF is called, AFFINITY_INFO says OFF and CPU_ON must succeed, even
    // while the vCPU that called it is still on its CPU on the way out of the trap.
    World w(0b110);
    SchedDomain& d = w.domain(1, 1);
    SchedVcpu* old = w.sched.pick(1, w.now);
    ASSERT_NE(old, nullptr);
    w.sched.go_offline(*old);
    EXPECT_FALSE(w.sched.is_online(d, 0));
    EXPECT_EQ(w.sched.find(d, 0), nullptr);
    EXPECT_EQ(w.sched.wake(d, 0, w.now), 0u);  // an interrupt for it wakes nothing
    auto fresh = w.sched.add(d, 0);
    ASSERT_TRUE(fresh.ok());
    EXPECT_NE(fresh.value(), old);
    EXPECT_EQ(w.sched.add(d, 0).status(), Status::already_exists);
    EXPECT_TRUE(w.sched.is_online(d, 0));
    EXPECT_EQ(w.sched.make_runnable(*fresh.value(), w.now), 0b100u);  // CPU 2 idles
    EXPECT_EQ(w.sched.find(d, 0), fresh.value());
    // The old one leaves CPU 1 without its registers; the new one runs in its place.
    EXPECT_TRUE(w.sched.need_resched(1, w.now));
    EXPECT_FALSE(w.sched.keeps_context(1));
    EXPECT_EQ(w.sched.switch_from(1, w.now, 0), fresh.value());
    EXPECT_EQ(old->state, VcpuState::free);
    EXPECT_EQ(w.sched.find(d, 0), fresh.value());
    EXPECT_TRUE(w.sched.keeps_context(1));
}

TEST(Scheduler, AnOfflineVcpuIsNeverScheduledAgain) {
    World w(0b10);
    SchedDomain& d = w.domain(1, 2);
    w.run(0b10, 50 * kMs);
    ASSERT_GT(w.ran_of(1, 1), 0u);
    // vCPU 1 turns itself off the next time it runs.
    while (w.sched.current(1) == nullptr || w.sched.current(1)->vcpu != 1)
        w.run(0b10, kMs);
    w.sched.go_offline(*w.sched.current(1));
    const std::uint64_t before = w.ran_of(1, 1);
    w.run(0b10, 200 * kMs);
    EXPECT_LE(w.ran_of(1, 1), before + kMs);  // at most the step it turned off in
    EXPECT_GE(w.ran_of(1, 0), 198 * kMs);     // vCPU 0 has the CPU to itself
    EXPECT_FALSE(w.sched.is_online(d, 1));
    // CPU_ON again: it shares the CPU once more.
    auto again = w.sched.add(d, 1);
    ASSERT_TRUE(again.ok());
    (void)w.sched.make_runnable(*again.value(), w.now);
    const std::uint64_t off = w.ran_of(1, 1);
    w.run(0b10, 200 * kMs);
    EXPECT_GE(w.ran_of(1, 1) - off, 80 * kMs);
}

TEST(Scheduler, AddRefusesDuplicatesAndAFullTable) {
    World w(0b10);
    SchedDomain& d = w.domain(1, 1);
    EXPECT_EQ(w.sched.add(d, 0).status(), Status::already_exists);
    SchedDomain big;
    for (std::uint32_t i = 1; i < Scheduler::kMaxVcpus; ++i)
        ASSERT_TRUE(w.sched.add(big, i).ok());
    EXPECT_EQ(w.sched.add(big, 0).status(), Status::busy);
    World none(0);  // every CPU is dom0's: nothing could ever run
    SchedDomain d2;
    EXPECT_EQ(none.sched.add(d2, 0).status(), Status::busy);
}

TEST(Scheduler, AStartingVcpuIsNotRunUntilMadeRunnable) {
    World w(0b10);
    SchedDomain d;
    auto v = w.sched.add(d, 0);
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(w.sched.pick(1, w.now), nullptr);
    EXPECT_TRUE(w.sched.is_online(d, 0));
    EXPECT_EQ(w.sched.make_runnable(*v.value(), w.now), 0b10u);
    EXPECT_EQ(w.sched.pick(1, w.now), v.value());
}

TEST(Scheduler, AffinityKeepsAVcpuOnItsCpus) {
    World w(0b110);
    SchedDomain& d = w.domain(1, 2);
    ASSERT_EQ(w.sched.set_affinity(d, 0, 0b100), Status::ok);
    ASSERT_EQ(w.sched.set_affinity(d, 1, 0b100), Status::ok);
    EXPECT_EQ(w.sched.set_affinity(d, 0, 0b1), Status::invalid_argument);
    EXPECT_EQ(w.sched.set_affinity(d, SchedDomain::kMaxVcpus, 0b10), Status::invalid_argument);
    w.run(0b110, 100 * kMs);
    EXPECT_EQ(w.cpus_of(1, 0), 0b100u);
    EXPECT_EQ(w.cpus_of(1, 1), 0b100u);
    EXPECT_NEAR(static_cast<double>(w.ran_of(1, 0)) / (100.0 * kMs), 0.5, 0.06);
}

TEST(Scheduler, AffinitySetBeforeAVcpuStartsHoldsWhenItStarts) {
    World w(0b110);
    SchedDomain d;
    ASSERT_EQ(w.sched.set_affinity(d, 1, 0b10), Status::ok);
    for (std::uint32_t i = 0; i < 2; ++i)
        (void)w.sched.make_runnable(*w.sched.add(d, i).value(), w.now);
    w.run(0b110, 50 * kMs);
    EXPECT_EQ(w.cpus_of(0, 1), 0b10u);
}

// dom0's vCPUs are scheduled like any domain's: on every CPU, by weight, migrating unless
// pinned (dom0_vcpus_pin), and a waiting one leaves its CPU to guests.
TEST(Scheduler, Dom0SharesEveryCpuWithAGuestAndItsVcpusMigrate) {
    World w(0b11);
    w.domain(0, 2);  // dom0, one vCPU per CPU
    w.domain(1, 1);  // a guest: three vCPUs on two CPUs
    w.run(0b11, 1500 * kMs);
    for (const auto& [d, v] : {std::pair<pub::domid_t, std::uint32_t>{0, 0}, {0, 1}, {1, 0}})
        EXPECT_NEAR(static_cast<double>(w.ran_of(d, v)) / (1500.0 * kMs), 2.0 / 3.0, 0.04)
            << d << "." << v;  // every vCPU the same share, dom0's and the guest's
    EXPECT_EQ(w.cpus_of(0, 0) | w.cpus_of(0, 1), 0b11u);
    EXPECT_TRUE(w.cpus_of(0, 0) == 0b11u || w.cpus_of(0, 1) == 0b11u);  // not pinned: migrates
}

TEST(Scheduler, APinnedDom0VcpuSharesItsCpuWithAGuestVcpuPinnedThere) {
    World w(0b11);
    SchedDomain dom0;
    dom0.affinity[0] = 0b01;  // dom0_vcpus_pin: vCPU n on CPU n
    dom0.affinity[1] = 0b10;
    for (std::uint32_t i = 0; i < 2; ++i)
        (void)w.sched.make_runnable(*w.sched.add(dom0, i).value(), w.now);
    SchedDomain& guest = w.domain(1, 1);
    ASSERT_EQ(w.sched.set_affinity(guest, 0, 0b01), Status::ok);  // as tern-ctl vcpu-pin
    w.run(0b11, 1000 * kMs);
    EXPECT_EQ(w.cpus_of(0, 0), 0b01u);
    EXPECT_EQ(w.cpus_of(0, 1), 0b10u);
    EXPECT_EQ(w.cpus_of(1, 0), 0b01u);
    EXPECT_NEAR(static_cast<double>(w.ran_of(1, 0)) / (1000.0 * kMs), 0.5, 0.03);
    EXPECT_NEAR(static_cast<double>(w.ran_of(0, 0)) / (1000.0 * kMs), 0.5, 0.03);
    EXPECT_GT(w.ran_of(0, 1), 990 * kMs);  // alone on its CPU
}

TEST(Scheduler, Dom0sWeightGivesItTheLargerShareOfACpu) {
    World w(0b1);
    SchedDomain& dom0 = w.domain(0, 1);
    ASSERT_EQ(w.sched.set_params(dom0, 512, 0), Status::ok);  // dom0_weight=512
    w.domain(1, 1);
    w.run(0b1, 1500 * kMs);
    const double a = static_cast<double>(w.ran_of(0, 0));
    const double b = static_cast<double>(w.ran_of(1, 0));
    EXPECT_NEAR(a / (a + b), 2.0 / 3.0, 0.03);
}

TEST(Scheduler, AWaitingDom0VcpuLeavesItsCpuToAGuest) {
    World w(0b1);
    SchedDomain& dom0 = w.domain(0, 1);
    w.domain(1, 1);
    SchedVcpu* v = w.sched.pick(0, w.now);
    ASSERT_NE(v, nullptr);
    ASSERT_EQ(v->domain, &dom0);  // the first added runs first
    w.sched.block(*v, 0);         // WFI
    ASSERT_TRUE(w.sched.need_resched(0, w.now));
    SchedVcpu* next = w.sched.switch_from(0, w.now, 0);
    ASSERT_NE(next, nullptr);
    EXPECT_EQ(next->domain->id, 1);
    w.run(0b1, 200 * kMs);
    EXPECT_EQ(w.ran_of(0, 0), 0u);
    EXPECT_EQ(w.ran_of(1, 0), 200 * kMs);
    // An event for dom0 wakes it; it gets the CPU back within a slice.
    EXPECT_EQ(w.sched.wake(dom0, 0, w.now), 0u);  // the CPU is busy: nobody to kick
    w.run(0b1, Scheduler::kSliceNs + 2 * kMs);
    EXPECT_GT(w.ran_of(0, 0), 0u);
}

TEST(Scheduler, AWokenVcpuGoesBackToTheIdleCpuItRanOn) {
    World w(0b110);
    SchedDomain& d = w.domain(1, 1);
    SchedVcpu* v = w.sched.pick(2, w.now);
    ASSERT_NE(v, nullptr);
    w.sched.block(*v, 0);
    ASSERT_EQ(w.sched.switch_from(2, w.now, 0), nullptr);
    // Both CPUs idle: only its own is kicked, and the other leaves it there.
    EXPECT_EQ(w.sched.wake(d, 0, w.now), 0b100u);
    EXPECT_EQ(w.sched.pick(1, w.now), nullptr);
    EXPECT_EQ(w.sched.pick(2, w.now), v);
    // Its CPU is busy when it wakes: any idle CPU is kicked and takes it.
    w.sched.block(*v, 0);
    ASSERT_EQ(w.sched.switch_from(2, w.now, 0), nullptr);
    w.domain(2, 1);
    ASSERT_NE(w.sched.pick(2, w.now), nullptr);
    EXPECT_EQ(w.sched.wake(d, 0, w.now), 0b010u);
    EXPECT_EQ(w.sched.pick(1, w.now), v);
}

TEST(Scheduler, AWokenVcpuLeftToItsIdleCpuIsTakenByAnotherAfterAWhile) {
    World w(0b110);
    SchedDomain& d = w.domain(1, 1);
    SchedVcpu* v = w.sched.pick(2, w.now);
    w.sched.block(*v, 0);
    ASSERT_EQ(w.sched.switch_from(2, w.now, 0), nullptr);
    EXPECT_EQ(w.sched.wake(d, 0, w.now), 0b100u);
    // CPU 2 never comes for it (its kick lost, say): CPU 1 runs it after kCacheHotNs.
    w.now += Scheduler::kCacheHotNs - 1;
    EXPECT_EQ(w.sched.pick(1, w.now), nullptr);
    w.now += 1;
    EXPECT_EQ(w.sched.pick(1, w.now), v);
}

}  // namespace
}  // namespace tern::hv

namespace tern::hv {
namespace {

std::uint64_t total(const pub::vcpu_runstate_info& r) {
    return r.time[0] + r.time[1] + r.time[2] + r.time[3];
}

TEST(RunstateClock, EachIntervalGoesToTheStateItWasSpentIn) {
    RunstateClock clock;
    clock.reset(Runstate::runnable, 100);
    clock.enter(Runstate::running, 130);
    clock.enter(Runstate::blocked, 200);
    clock.enter(Runstate::runnable, 1200);
    clock.enter(Runstate::running, 1250);
    clock.enter(Runstate::running, 1260);  // the same state: only the time so far added up
    const pub::vcpu_runstate_info& r = clock.info();
    EXPECT_EQ(r.state, 0);
    EXPECT_EQ(r.state_entry_time, 1260u);
    EXPECT_EQ(r.time[0], 80u);
    EXPECT_EQ(r.time[1], 80u);
    EXPECT_EQ(r.time[2], 1000u);
    EXPECT_EQ(r.time[3], 0u);
    clock.enter(Runstate::offline, 1000);  // a time from the past counts as none
    EXPECT_EQ(clock.info().time[0], 80u);
    EXPECT_EQ(clock.info().state_entry_time, 1260u);
}

TEST(Scheduler, RunstateShowsStealWhenSharingAndBlockedWhenIdle) {
    // Two busy vCPUs on one CPU: each is running half the time and runnable (steal) the
    // other half; every ns since it started is in one state or another.
    World w(0b1);
    SchedDomain& a = w.domain(1, 1);
    SchedDomain& b = w.domain(2, 1);
    const std::uint64_t start = w.now;
    w.run(0b1, 1000 * kMs);
    for (SchedDomain* d : {&a, &b}) {
        SchedVcpu* v = w.sched.find(*d, 0);
        ASSERT_NE(v, nullptr);
        const pub::vcpu_runstate_info& r = v->runstate.info();
        const std::uint64_t since = r.state_entry_time - start;
        EXPECT_EQ(total(r), since);
        EXPECT_NEAR(static_cast<double>(r.time[0]) / since, 0.5, 0.03);
        EXPECT_NEAR(static_cast<double>(r.time[1]) / since, 0.5, 0.03);
        EXPECT_EQ(r.time[2], 0u);
    }

    // An idle vCPU: it blocks with no deadline, is woken 300 ms later, then runs.
    World idle(0b1);
    SchedDomain& c = idle.domain(3, 1);
    idle.run(0b1, 10 * kMs);
    SchedVcpu* v = idle.sched.find(c, 0);
    ASSERT_NE(v, nullptr);
    idle.sched.block(*v, 0);
    (void)idle.sched.switch_from(0, idle.now, 0);
    EXPECT_EQ(v->runstate.state(), Runstate::blocked);
    idle.run(0b1, 300 * kMs);
    EXPECT_EQ(v->runstate.state(), Runstate::blocked);
    (void)idle.sched.wake(c, 0, idle.now);
    EXPECT_EQ(v->runstate.state(), Runstate::runnable);
    idle.run(0b1, 5 * kMs);
    EXPECT_EQ(v->runstate.state(), Runstate::running);
    EXPECT_EQ(v->runstate.info().time[2], 300 * kMs);
    EXPECT_LE(v->runstate.info().time[1], kMs);  // woken on an idle CPU: little waiting
}

}  // namespace
}  // namespace tern::hv
