// VcpuPower: dom0's vCPUs by MPIDR, for PSCI's CPU_ON and AFFINITY_INFO targets; what
// PSCI_FEATURES says is answered.
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

TEST(PsciFeatures, TheCallsAGuestNeedsToTakeCpusOffAndOnAreThere) {
    // What Linux needs for CPU hotplug (cpu_psci_cpu_disable/kill, psci_cpu_on), for both.
    for (bool dom0 : {true, false}) {
        for (std::uint32_t f : {kPsciVersion, kPsciCpuOff, kPsciCpuOn, kPsciCpuOn64,
                                kPsciAffinityInfo, kPsciAffinityInfo64, kPsciMigrateInfoType,
                                kPsciSystemOff, kPsciSystemReset, kPsciFeatures})
            EXPECT_EQ(psci_features(f, dom0), kPsciSuccess) << std::hex << f;
    }
}

TEST(PsciFeatures, WhatIsNotAnsweredIsNotSupported) {
    EXPECT_EQ(psci_features(0xc4000001, true), kPsciNotSupported);   // CPU_SUSPEND
    EXPECT_EQ(psci_features(0x8400000e, false), kPsciNotSupported);  // SYSTEM_SUSPEND
    EXPECT_EQ(psci_features(0x84000012, false), kPsciNotSupported);  // SYSTEM_RESET2
    // SMCCC_VERSION: dom0's (1.1), not a domU's (it stays SMCCC 1.0).
    EXPECT_EQ(psci_features(kSmcccVersion, true), kPsciSuccess);
    EXPECT_EQ(psci_features(kSmcccVersion, false), kPsciNotSupported);
}

}  // namespace
}  // namespace tern::hv
