// VcpuPower: PSCI CPU_ON, AFFINITY_INFO and CPU_OFF for dom0's pinned vCPUs.
#include "common/vcpu_power.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace tern::hv {
namespace {

constexpr std::uint64_t kMpidrs[] = {0x0, 0x1, 0x100};

TEST(VcpuPower, TheBootVcpuIsOnAndTheOthersOff) {
    VcpuPower power;
    power.reset(kMpidrs, 3);
    EXPECT_EQ(power.count(), 3u);
    EXPECT_EQ(power.affinity_info(0x0), kAffinityOn);
    EXPECT_EQ(power.affinity_info(0x1), kAffinityOff);
    EXPECT_EQ(power.affinity_info(0x100), kAffinityOff);
    EXPECT_EQ(power.affinity_info(0x2), kPsciInvalidParameters);
    EXPECT_EQ(power.index_of(0x100), 2u);
    EXPECT_FALSE(power.index_of(0x7).has_value());
}

TEST(VcpuPower, CpuOnHandsTheEntryPointToTheTarget) {
    VcpuPower power;
    power.reset(kMpidrs, 3);
    EXPECT_FALSE(power.take_start(1).has_value());
    EXPECT_EQ(power.request_on(0x1, 0x40080000, 0xabc), kPsciSuccess);
    EXPECT_EQ(power.affinity_info(0x1), kAffinityOnPending);
    EXPECT_EQ(power.request_on(0x1, 0x40080000, 0), kPsciOnPending);
    auto start = power.take_start(1);
    ASSERT_TRUE(start.has_value());
    EXPECT_EQ(start->entry, 0x40080000u);
    EXPECT_EQ(start->context, 0xabcu);
    EXPECT_EQ(power.affinity_info(0x1), kAffinityOn);
    EXPECT_FALSE(power.take_start(1).has_value());
    EXPECT_EQ(power.request_on(0x1, 0x40080000, 0), kPsciAlreadyOn);
    EXPECT_EQ(power.request_on(0x0, 0x40080000, 0), kPsciAlreadyOn);
}

TEST(VcpuPower, BadTargetsAndEntryPointsAreRefused) {
    VcpuPower power;
    power.reset(kMpidrs, 3);
    EXPECT_EQ(power.request_on(0x2, 0x40080000, 0), kPsciInvalidParameters);
    EXPECT_EQ(power.request_on(0x1, 0x40080002, 0), kPsciInvalidParameters);
    EXPECT_EQ(power.affinity_info(0x1), kAffinityOff);
    EXPECT_FALSE(power.take_start(7).has_value());
}

TEST(VcpuPower, CpuOffLetsTheVcpuBeStartedAgain) {
    VcpuPower power;
    power.reset(kMpidrs, 3);
    ASSERT_EQ(power.request_on(0x100, 0x1000, 1), kPsciSuccess);
    ASSERT_TRUE(power.take_start(2).has_value());
    power.turn_off(2);
    EXPECT_EQ(power.affinity_info(0x100), kAffinityOff);
    EXPECT_EQ(power.request_on(0x100, 0x2000, 2), kPsciSuccess);
    EXPECT_EQ(power.take_start(2)->entry, 0x2000u);
}

TEST(VcpuPower, OnlyOneOfManyConcurrentCpuOnCallsWins) {
    for (int round = 0; round < 200; ++round) {
        VcpuPower power;
        power.reset(kMpidrs, 3);
        std::atomic<int> successes{0};
        std::vector<std::thread> callers;
        for (int t = 0; t < 4; ++t) {
            callers.emplace_back([&, t] {
                if (power.request_on(0x1, 0x1000u * (t + 1), static_cast<std::uint64_t>(t)) ==
                    kPsciSuccess)
                    successes.fetch_add(1);
            });
        }
        std::optional<VcpuStart> start;
        while (!start)
            start = power.take_start(1);
        for (auto& c : callers)
            c.join();
        EXPECT_EQ(successes.load(), 1);
        // The target saw the winner's entry and context together, never a half-written pair.
        EXPECT_EQ(start->entry, 0x1000u * (start->context + 1));
    }
}

}  // namespace
}  // namespace tern::hv
