// CpuPool: other domains' vCPUs get CPUs dom0 does not use, one each, and give them back.
#include "common/cpu_pool.hpp"

#include <gtest/gtest.h>

#include "common/domain.hpp"
#include "fake_machine_memory.hpp"

namespace tern::hv {
namespace {

struct World {
    FakeMachineMemory machine{{{0x40000000, 64ull << 20}}};
    DomainTable domains{machine};
    CpuPool pool;
    Domain* make(std::uint32_t vcpus) {
        DomainConfig c;
        c.max_vcpus = vcpus;
        c.max_pages = 16;
        return domains.create(c).value();
    }
};

TEST(CpuPool, VcpusGetFreeCpusAndDom0sAreNeverGiven) {
    World w;
    w.pool.reset(4, 0b0001);  // dom0 on CPU 0
    Domain* a = w.make(2);
    auto cpus = w.pool.assign(*a, 2);
    ASSERT_TRUE(cpus.ok());
    EXPECT_EQ(cpus.value(), 0b0110u);
    EXPECT_FALSE(w.pool.take(0).has_value());  // dom0's
    auto first = w.pool.take(1);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->domain, a);
    EXPECT_EQ(first->vcpu, 0u);
    EXPECT_EQ(w.pool.take(2)->vcpu, 1u);
    EXPECT_FALSE(w.pool.take(1).has_value());  // already running
    EXPECT_EQ(w.pool.running_on(1)->domain, a);
    Domain* b = w.make(2);
    EXPECT_EQ(w.pool.assign(*b, 2).status(), Status::busy);  // one CPU left: nothing given
    EXPECT_EQ(w.pool.assign(*b, 1).value(), 0b1000u);
    EXPECT_TRUE(w.pool.holds(b->id()));
}

TEST(CpuPool, StoppingFreesWaitingCpusAtOnceAndAsksRunningOnes) {
    World w;
    w.pool.reset(3, 0b001);
    Domain* a = w.make(2);
    ASSERT_TRUE(w.pool.assign(*a, 2).ok());
    ASSERT_TRUE(w.pool.take(1).has_value());  // vCPU 0 runs on CPU 1; vCPU 1 waits on CPU 2
    EXPECT_EQ(w.pool.request_stop(a->id()), 0b010u);
    EXPECT_TRUE(w.pool.stop_requested(1));
    EXPECT_FALSE(w.pool.stop_requested(2));
    EXPECT_FALSE(w.pool.take(2).has_value());  // freed, never to start
    EXPECT_TRUE(w.pool.holds(a->id()));
    w.pool.release(1);  // CPU 1 took the kick and gave the vCPU up
    EXPECT_FALSE(w.pool.holds(a->id()));
    Domain* b = w.make(2);
    EXPECT_EQ(w.pool.assign(*b, 2).value(), 0b110u);
    w.pool.release(0);  // dom0's CPU stays dom0's
    EXPECT_FALSE(w.pool.take(0).has_value());
}

}  // namespace
}  // namespace tern::hv

namespace tern::hv {
namespace {

TEST(CpuPool, ASecondaryVcpuStartedByCpuOnGetsAFreeCpuOnce) {
    World w;
    w.pool.reset(3, 0b001);
    Domain* a = w.make(2);
    ASSERT_EQ(w.pool.assign(*a, 1).value(), 0b010u);  // vCPU 0 at unpause
    EXPECT_FALSE(w.pool.holds_vcpu(*a, 1));
    auto cpu = w.pool.assign_vcpu(*a, 1);  // PSCI CPU_ON from vCPU 0
    ASSERT_TRUE(cpu.ok());
    EXPECT_EQ(cpu.value(), 2u);
    EXPECT_TRUE(w.pool.holds_vcpu(*a, 1));  // about to start: CPU_ON again is ALREADY_ON
    EXPECT_EQ(w.pool.assign_vcpu(*a, 1).status(), Status::already_exists);
    EXPECT_EQ(w.pool.take(2)->vcpu, 1u);
    Domain* b = w.make(1);
    EXPECT_EQ(w.pool.assign_vcpu(*b, 0).status(), Status::busy);  // no CPU left
    w.pool.release(2);                                            // vCPU 1 turned itself off
    EXPECT_FALSE(w.pool.holds_vcpu(*a, 1));
    EXPECT_EQ(w.pool.assign_vcpu(*b, 0).value(), 2u);
}

}  // namespace
}  // namespace tern::hv
