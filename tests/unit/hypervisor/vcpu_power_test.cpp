// VcpuPower: dom0's vCPUs by MPIDR, for PSCI's CPU_ON and AFFINITY_INFO targets.
#include "common/vcpu_power.hpp"

#include <gtest/gtest.h>

namespace tern::hv {
namespace {

constexpr std::uint64_t kMpidrs[] = {0x0, 0x1, 0x100};

TEST(VcpuPower, MpidrsAndIndexesMatch) {
    VcpuPower vcpus;
    vcpus.reset(kMpidrs, 3);
    EXPECT_EQ(vcpus.count(), 3u);
    EXPECT_EQ(vcpus.index_of(0x100), 2u);
    EXPECT_EQ(vcpus.index_of(0x0), 0u);
    EXPECT_FALSE(vcpus.index_of(0x7).has_value());
    EXPECT_EQ(vcpus.mpidr_of(1), 0x1u);
    EXPECT_FALSE(vcpus.mpidr_of(3).has_value());
}

TEST(VcpuPower, AtMostEightVcpus) {
    std::uint64_t many[12];
    for (std::uint64_t i = 0; i < 12; ++i)
        many[i] = i;
    VcpuPower vcpus;
    vcpus.reset(many, 12);
    EXPECT_EQ(vcpus.count(), VcpuPower::kMaxVcpus);
    EXPECT_FALSE(vcpus.index_of(9).has_value());
}

}  // namespace
}  // namespace tern::hv
