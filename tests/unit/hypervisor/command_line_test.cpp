// Tests of Tern's command line.
#include "common/command_line.hpp"
#include "common/log_level.hpp"

#include <gtest/gtest.h>

namespace tern::hv {
namespace {

TEST(CommandLine, ReadsXensOptions) {
    auto o = parse_command_line(
        "dom0_mem=768M  dom0_max_vcpus=2 console=dtuart loglvl=all/all noreboot");
    EXPECT_EQ(o.dom0_mem, 768ull << 20);
    EXPECT_EQ(o.dom0_max_vcpus, 2u);
    EXPECT_EQ(o.console, "dtuart");
    EXPECT_EQ(o.loglvl, LogLevel::all);
    EXPECT_EQ(o.unknown, 1u);
    EXPECT_EQ(o.invalid, 0u);
}

TEST(CommandLine, DefaultsAndBadValues) {
    auto d = parse_command_line("");
    EXPECT_EQ(d.dom0_mem, 512ull << 20);
    EXPECT_EQ(d.loglvl, LogLevel::warning);
    auto bad = parse_command_line("dom0_mem=lots dom0_max_vcpus=0 loglvl=chatty dom0_mem=1M");
    EXPECT_EQ(bad.dom0_mem, 512ull << 20);  // 1M is too small to boot anything: refused
    EXPECT_EQ(bad.dom0_max_vcpus, 0u);
    EXPECT_EQ(bad.invalid, 4u);
}

TEST(CommandLine, Dom0SchedulingOptions) {
    auto d = parse_command_line("");
    EXPECT_FALSE(d.dom0_vcpus_pin);  // dom0's vCPUs share every CPU with guests
    EXPECT_EQ(d.dom0_weight, 256u);
    auto o = parse_command_line("dom0_vcpus_pin dom0_weight=1024");
    EXPECT_TRUE(o.dom0_vcpus_pin);
    EXPECT_FALSE(o.bootscrub_idle);  // Tern's default
    EXPECT_TRUE(parse_command_line("bootscrub=idle").bootscrub_idle);
    EXPECT_FALSE(parse_command_line("bootscrub=idle bootscrub=0").bootscrub_idle);
    EXPECT_EQ(parse_command_line("bootscrub=1").invalid, 1u);  // no boot-time scrub
    EXPECT_FALSE(o.domu_stage2_pages);                         // blocks where they fit
    EXPECT_TRUE(parse_command_line("domu_stage2=pages").domu_stage2_pages);
    EXPECT_FALSE(parse_command_line("domu_stage2=pages domu_stage2=blocks").domu_stage2_pages);
    EXPECT_EQ(parse_command_line("domu_stage2=1g").invalid, 1u);
    EXPECT_EQ(o.dom0_weight, 1024u);
    EXPECT_EQ(o.invalid, 0u);
    auto bad = parse_command_line("dom0_vcpus_pin=yes dom0_weight=0 dom0_weight=65536");
    EXPECT_FALSE(bad.dom0_vcpus_pin);
    EXPECT_EQ(bad.dom0_weight, 256u);
    EXPECT_EQ(bad.invalid, 3u);
}

TEST(CommandLine, Sizes) {
    std::uint64_t v = 0;
    EXPECT_TRUE(parse_size("1G", v));
    EXPECT_EQ(v, 1ull << 30);
    EXPECT_TRUE(parse_size("4096k", v));
    EXPECT_EQ(v, 4ull << 20);
    EXPECT_TRUE(parse_size("512M,max:1G", v));
    EXPECT_EQ(v, 512ull << 20);
    EXPECT_FALSE(parse_size("99999999999999999999", v));
    EXPECT_FALSE(parse_size("17179869184T", v));
    EXPECT_FALSE(parse_size("", v));
}

}  // namespace
}  // namespace tern::hv

namespace tern::hv {
namespace {

TEST(LogLevel, GuestWarningsPrintFromWarningUpAndNeverAtNone) {
    set_log_level(LogLevel::warning);
    EXPECT_TRUE(log_enabled(LogLevel::warning));
    EXPECT_TRUE(log_enabled(LogLevel::error));
    EXPECT_FALSE(log_enabled(LogLevel::info));
    set_log_level(LogLevel::error);
    EXPECT_FALSE(log_enabled(LogLevel::warning));
    set_log_level(LogLevel::none);
    EXPECT_FALSE(log_enabled(LogLevel::error));
    EXPECT_FALSE(log_enabled(LogLevel::none));
    set_log_level(LogLevel::all);
    EXPECT_TRUE(log_enabled(LogLevel::debug));
    set_log_level(LogLevel::warning);
}

}  // namespace
}  // namespace tern::hv
