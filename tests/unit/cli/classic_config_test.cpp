// Classic settings turned into a VmConfig, and command-line overrides.
#include "config/classic_config.hpp"

#include <gtest/gtest.h>

namespace tern::cli {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

VmConfig load_ok(std::string_view text, std::vector<std::string> overrides = {}) {
    auto result = load_classic_config(text, "t.cfg", overrides);
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().to_string());
    return result.ok() ? result.value() : VmConfig{};
}

std::string load_error(std::string_view text, std::vector<std::string> overrides = {}) {
    auto result = load_classic_config(text, "t.cfg", overrides);
    EXPECT_FALSE(result.ok());
    return result.ok() ? "" : result.error().to_string();
}

TEST(ClassicConfig, MapsEverySettingToTheApiFields) {
    auto config = load_ok(
        "name = 'deb1'\nkernel = '/k'\nramdisk = '/r'\nmemory = 256\nmaxmem = 512\n"
        "vcpus = 2\ncpus = '0-1'\ncpu_weight = 512\ncpu_cap = 50\n"
        "root = '/dev/xvda1 ro'\nextra = 'console=hvc0'\n"
        "disk = ['phy:/dev/vg/d,xvda1,w', 'file:/iso,hdc:cdrom,r']\n"
        "vif = ['mac=00:16:3e:00:00:01,bridge=xenbr0', '']\n"
        "on_poweroff = 'destroy'\non_reboot = 'restart'\non_crash = 'rename-restart'\n");
    EXPECT_EQ(config.name, "deb1");
    EXPECT_EQ(config.memory_dynamic_max, 256 * kMiB);
    EXPECT_EQ(config.memory_dynamic_min, 256 * kMiB);
    EXPECT_EQ(config.memory_static_max, 512 * kMiB);
    EXPECT_EQ(config.vcpus_max, 2);
    EXPECT_EQ(config.kernel_args(), "root=/dev/xvda1 ro console=hvc0");
    EXPECT_EQ(config.on_crash, "rename_restart");
    ASSERT_EQ(config.disks.size(), 2u);
    EXPECT_TRUE(config.disks[0].writable);
    EXPECT_TRUE(config.disks[1].cdrom);
    EXPECT_EQ(config.disks[1].device, "hdc");
    EXPECT_FALSE(config.disks[1].writable);
    ASSERT_EQ(config.vifs.size(), 2u);
    EXPECT_EQ(config.vifs[0].bridge, "xenbr0");
    EXPECT_EQ(config.vifs[1].mac, "");
    auto params = config.api_vcpu_params();
    EXPECT_EQ(params["weight"], "512");
    EXPECT_EQ(params["cap"], "50");
    EXPECT_EQ(params["cpumap0"], "0-1");
    EXPECT_EQ(params["cpumap1"], "0-1");
}

TEST(ClassicConfig, MaxmemMeansTheSameBeforeOrAfterMemory) {
    auto after = load_ok("name='a'\nmemory=64\nmaxmem=128\n");
    auto before = load_ok("name='a'\nmaxmem=128\nmemory=64\n");
    EXPECT_EQ(after.memory_static_max, 128 * kMiB);
    EXPECT_EQ(before.memory_static_max, 128 * kMiB);
    EXPECT_EQ(before.memory_dynamic_max, 64 * kMiB);
}

TEST(ClassicConfig, NumbersMayBeQuotedAsXmAllowed) {
    EXPECT_EQ(load_ok("name='a'\nmemory='96'\n").memory_dynamic_max, 96 * kMiB);
}

TEST(ClassicConfig, OverridesWinAndBareWordsAreStrings) {
    auto config =
        load_ok("name='a'\nmemory=64\n", {"memory=128", "name=other", "disk=['file:/x,xvdb,r']"});
    EXPECT_EQ(config.name, "other");
    EXPECT_EQ(config.memory_dynamic_max, 128 * kMiB);
    ASSERT_EQ(config.disks.size(), 1u);
    EXPECT_EQ(config.disks[0].device, "xvdb");
}

TEST(ClassicConfig, ReportsWrongTypesAndUnknownSettingsWithPositions) {
    EXPECT_EQ(load_error("name='a'\nmemory = [1]\n"),
              "t.cfg:2:10: memory: expected a whole number, found list [1]");
    EXPECT_EQ(load_error("name='a'\nkernal = '/k'\n"),
              "t.cfg:2:1: unknown setting 'kernal' (see the CONFIG FILES section of xm(1) for "
              "the known ones)");
    EXPECT_EQ(load_error("name='a'\ndisk = ['phy:/d,xvda,rw']\n"),
              "t.cfg:2:8: disk: disk 'phy:/d,xvda,rw': expected mode r, w or w!, found 'rw'");
    EXPECT_EQ(load_error("name='a'\nvif = ['mac=zz']\n"),
              "t.cfg:2:7: vif: vif 'mac=zz': expected a MAC address like 00:16:3e:12:34:56, "
              "found 'zz'");
    EXPECT_EQ(load_error("name='a'\non_crash = 'explode'\n"),
              "t.cfg:2:12: on_crash: expected destroy, restart, preserve, rename-restart, "
              "coredump-destroy or coredump-restart, found 'explode'");
    EXPECT_EQ(load_error("name='a'\nvcpus = 0\n"),
              "t.cfg:2:9: vcpus: expected a number of at least 1, found 0");
    EXPECT_EQ(load_error("name='a'\nmemory=128\nmaxmem=64\n"),
              "t.cfg:3:8: maxmem: maxmem (64 MiB) is below memory (128 MiB)");
    EXPECT_EQ(load_error("memory=64\n"),
              "t.cfg: no name: set name = \"...\" in the file or name=... on the command line");
    EXPECT_EQ(load_error("name='a'\n", {"memory=lots"}),
              "command line: memory: expected a whole number, found str 'lots'");
    EXPECT_EQ(load_error("name='a'\n", {"=3"}), "command-line setting '=3': expected key=value");
}

}  // namespace
}  // namespace tern::cli
