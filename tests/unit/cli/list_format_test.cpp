// The fixed-width forms of xm list / vcpu-list and the helpers behind uptime.
#include "commands/list_format.hpp"

#include <gtest/gtest.h>

#include "terminal/task_progress.hpp"

namespace tern::cli {
namespace {

TEST(ListFormat, HeaderAndRowsLineUpAsInXm) {
    EXPECT_EQ(list_header(false),
              "Name                                      ID   Mem VCPUs      State   Time(s)");
    VmRecord halted;
    halted.name = "managed";
    halted.power_state = "Halted";
    halted.memory_dynamic_max = 256LL << 20;
    halted.vcpus_at_startup = 2;
    EXPECT_EQ(list_row(halted, false),
              "managed                                        256     2     ------      0.0");
    EXPECT_EQ(list_row(halted, true),
              "managed                                        256     2     ------      0.0   "
              "INACTIVE");
}

TEST(ListFormat, TimeIsTheHypervisorsCpuTimeWhenXapidGivesIt) {
    VmRecord vm;
    vm.name = "busybox";
    vm.power_state = "Running";
    vm.domid = 3;
    vm.memory_actual = 128LL << 20;
    vm.vcpus_number = 1;
    vm.state_flags = {"running"};
    vm.vcpus_utilisation = {{0, 0.25}};
    EXPECT_DOUBLE_EQ(cpu_seconds(vm), 0.25);
    vm.cpu_time = 12.345;
    EXPECT_DOUBLE_EQ(cpu_seconds(vm), 12.345);
    EXPECT_EQ(list_row(vm, false),
              "busybox                                    3   128     1     r-----     12.3");
}

TEST(ListFormat, StateFlags) {
    VmRecord vm;
    vm.power_state = "Paused";
    vm.state_flags = {"blocked"};
    EXPECT_EQ(state_column(vm), "-bp---");
    vm.power_state = "Running";
    vm.state_flags = {"running", "dying"};
    EXPECT_EQ(state_column(vm), "r----d");
}

TEST(ListFormat, ApiTimesAndUptimes) {
    EXPECT_EQ(parse_api_time("19700102T00:00:00Z"), std::nullopt);
    EXPECT_EQ(parse_api_time("20000101T00:00:00Z"), 946684800);
    EXPECT_EQ(parse_api_time("2000-01-01T00:00:01Z"), 946684801);
    EXPECT_EQ(parse_api_time("garbage"), std::nullopt);
    EXPECT_EQ(format_uptime(3723), "1:02:03");
    EXPECT_EQ(format_uptime(86400 * 2 + 5), "2 days, 0:00:05");
}

TEST(Progress, BarFillsWithTheFraction) {
    EXPECT_EQ(progress_bar(0.0, 10), "[          ]   0%");
    EXPECT_EQ(progress_bar(0.5, 10), "[#####     ]  50%");
    EXPECT_EQ(progress_bar(2.0, 10), "[##########] 100%");
}

}  // namespace
}  // namespace tern::cli
