// CpuMeter: vCPU utilisation from CPU time deltas.
#include "backend/tern/cpu_meter.hpp"

#include <gtest/gtest.h>

namespace tern::xapi {
namespace {

using std::chrono::milliseconds;

TEST(CpuMeter, UtilisationIsCpuTimeOverWallTimeAndVcpus) {
    CpuMeter m(milliseconds(1000));
    const auto t0 = CpuMeter::Clock::time_point{};
    EXPECT_EQ(m.sample(1, 0, 2, t0), 0.0);
    // 1 s of CPU time in 2 s of wall time over 2 vCPUs: a quarter.
    EXPECT_DOUBLE_EQ(m.sample(1, 1'000'000'000, 2, t0 + milliseconds(2000)), 0.25);
    // Fully busy on one vCPU.
    EXPECT_DOUBLE_EQ(m.sample(1, 3'000'000'000, 1, t0 + milliseconds(4000)), 1.0);
}

TEST(CpuMeter, ALookInsideTheWindowKeepsTheLastFigure) {
    CpuMeter m(milliseconds(1000));
    const auto t0 = CpuMeter::Clock::time_point{};
    (void)m.sample(1, 0, 1, t0);
    EXPECT_DOUBLE_EQ(m.sample(1, 500'000'000, 1, t0 + milliseconds(1000)), 0.5);
    EXPECT_DOUBLE_EQ(m.sample(1, 900'000'000, 1, t0 + milliseconds(1100)), 0.5);
    // The window counts from the last figure: 0.5 s more in 1 s.
    EXPECT_DOUBLE_EQ(m.sample(1, 1'000'000'000, 1, t0 + milliseconds(2000)), 0.5);
}

TEST(CpuMeter, ANewDomainWithAReusedIdStartsAgain) {
    CpuMeter m(milliseconds(1000));
    const auto t0 = CpuMeter::Clock::time_point{};
    (void)m.sample(1, 5'000'000'000, 1, t0);
    EXPECT_EQ(m.sample(1, 10, 1, t0 + milliseconds(3000)), 0.0);  // its clock went back
    m.forget(1);
    EXPECT_EQ(m.sample(1, 20, 1, t0 + milliseconds(6000)), 0.0);
}

}  // namespace
}  // namespace tern::xapi
