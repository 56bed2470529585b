// The tern backend's translations: uuids and handles, DomainConfig to GuestConfig, states
// and shutdown reasons.
#include "backend/tern/tern_mapping.hpp"

#include <gtest/gtest.h>

namespace tern::xapi {
namespace {

constexpr const char* kUuid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

DomainConfig busybox() {
    DomainConfig c;
    c.uuid = kUuid;
    c.name = "busybox";
    c.kernel = "/tmp/guest/Image";
    c.ramdisk = "/tmp/guest/busybox-initrd.cpio.gz";
    c.cmdline = "console=hvc0 tern.shell";
    c.memory_max = 64LL << 20;
    c.memory_target = 64LL << 20;
    c.vcpus_max = 2;
    c.vcpus_online = 1;
    return c;
}

TEST(TernMapping, UuidAndHandleRoundTrip) {
    const DomainHandle h = handle_of(kUuid);
    EXPECT_EQ(h[0], 0x0f);
    EXPECT_EQ(h[15], 0xf0);
    EXPECT_EQ(uuid_of(h), kUuid);
    EXPECT_EQ(uuid_of(handle_of("0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0")), kUuid);
}

TEST(TernMapping, MalformedOrEmptyUuidIsTheZeroHandleWhichHasNoUuid) {
    EXPECT_EQ(handle_of(""), DomainHandle{});
    EXPECT_EQ(handle_of("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1fz"), DomainHandle{});
    EXPECT_EQ(handle_of("0f1e2d3c04b5a-6978-8796-a5b4c3d2e1f0"), DomainHandle{});
    EXPECT_EQ(uuid_of(DomainHandle{}), "");
}

TEST(TernMapping, ConfigBecomesTheBuildersGuestConfig) {
    auto g = guest_config_of(busybox());
    ASSERT_TRUE(g.ok());
    EXPECT_EQ(g.value().name, "busybox");
    EXPECT_EQ(g.value().kernel, "/tmp/guest/Image");
    EXPECT_EQ(g.value().ramdisk, "/tmp/guest/busybox-initrd.cpio.gz");
    EXPECT_EQ(g.value().extra, "console=hvc0 tern.shell");
    EXPECT_EQ(g.value().memory_mib, 64u);
    EXPECT_EQ(g.value().vcpus, 2u);  // every vCPU exists; offline ones go through xenstore
    EXPECT_EQ(g.value().handle, handle_of(kUuid));
}

TEST(TernMapping, MemoryIsTheLargerOfCeilingAndTargetRoundedUpToMiB) {
    auto c = busybox();
    c.memory_max = (64LL << 20) + 1;
    c.memory_target = 32LL << 20;
    EXPECT_EQ(guest_config_of(c).value().memory_mib, 65u);
    c.memory_max = 0;
    c.memory_target = 0;
    EXPECT_EQ(guest_config_of(c).error().code, "VM_MEMORY_SIZE_TOO_LOW");
    c.memory_max = 4LL << 30;
    EXPECT_EQ(guest_config_of(c).error().code, "HOST_NOT_ENOUGH_FREE_MEMORY");
}

TEST(TernMapping, DisksBecomeTheBlockBackendsVbds) {
    auto c = busybox();
    c.disks.push_back(DiskConfig{"xvda", "/srv/root.img", false, false});
    c.disks.push_back(DiskConfig{"1", "/srv/sr/0f1e.qcow2", true, false});
    c.disks.push_back(DiskConfig{"xvdd", "", true, true});  // an empty CD drive is nothing
    auto g = guest_config_of(c);
    ASSERT_TRUE(g.ok()) << g.error().params.at(0);
    ASSERT_EQ(g.value().disks.size(), 2u);
    const dom0::DiskSpec& root = g.value().disks[0];
    EXPECT_EQ(root.path, "/srv/root.img");
    EXPECT_EQ(root.format, "raw");
    EXPECT_EQ(root.vdev, "xvda");
    EXPECT_EQ(root.devid, 202u << 8);
    EXPECT_TRUE(root.writable);
    const dom0::DiskSpec& data = g.value().disks[1];
    EXPECT_EQ(data.format, "qcow2");
    EXPECT_EQ(data.vdev, "xvdb");
    EXPECT_EQ(data.devid, (202u << 8) | (1u << 4));
    EXPECT_FALSE(data.writable);
}

TEST(TernMapping, DisksTernCannotServeAreRefused) {
    auto e = disk_spec_of(DiskConfig{"hdc", "/srv/x.iso", true, true});
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().code, "NOT_IMPLEMENTED");
    EXPECT_NE(e.error().params.at(0).find("CD drive"), std::string::npos);
    EXPECT_EQ(disk_spec_of(DiskConfig{"16", "/srv/x.img", false, false}).error().code,
              "VALUE_NOT_SUPPORTED");
    EXPECT_EQ(disk_spec_of(DiskConfig{"sda", "/srv/x.img", false, false}).error().code,
              "VALUE_NOT_SUPPORTED");
    auto c = busybox();
    c.disks.push_back(DiskConfig{"hda", "/srv/x.img", false, false});
    EXPECT_EQ(guest_config_of(c).error().code, "VALUE_NOT_SUPPORTED");
}

TEST(TernMapping, NicsBecomeVifsInDeviceOrder) {
    auto c = busybox();
    c.nics.push_back(NicConfig{"1", "", "xenbr1", 1500});
    c.nics.push_back(NicConfig{"0", "00:16:3e:aa:bb:cc", "xenbr0", 1500});
    auto g = guest_config_of(c);
    ASSERT_TRUE(g.ok()) << g.error().code;
    ASSERT_EQ(g.value().vifs.size(), 2u);
    EXPECT_EQ(g.value().vifs[0].devid, 0u);
    EXPECT_EQ(g.value().vifs[0].mac, "00:16:3e:aa:bb:cc");
    EXPECT_EQ(g.value().vifs[0].bridge, "xenbr0");
    EXPECT_EQ(g.value().vifs[1].devid, 1u);
    EXPECT_EQ(g.value().vifs[1].mac, "");  // the builder's default
    EXPECT_EQ(g.value().vifs[1].bridge, "xenbr1");
    // A network without a bridge name: the builder's default bridge.
    EXPECT_EQ(vif_spec_of(NicConfig{"0", "", "", 1500}, 0).value().bridge, "xenbr0");
}

TEST(TernMapping, BadMacsAndBridgesAreRefused) {
    auto c = busybox();
    c.nics.push_back(NicConfig{"0", "01:00:5e:00:00:01", "xenbr0", 1500});  // multicast
    auto e = guest_config_of(c);
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.error().code, "VALUE_NOT_SUPPORTED");
    EXPECT_EQ(e.error().params.at(0), "VIF 0");
    EXPECT_EQ(vif_spec_of(NicConfig{"2", "", "bad bridge", 1500}, 0).error().code,
              "VALUE_NOT_SUPPORTED");
}

TEST(TernMapping, NoKernelOrTooManyVcpusIsRefused) {
    auto c = busybox();
    c.kernel.clear();
    EXPECT_EQ(
        guest_config_of(c).error(),
        (BackendError{"BOOTLOADER_FAILED", {kUuid, "the VM has no kernel (PV_kernel) to boot"}}));
    c = busybox();
    c.vcpus_max = TERN_MAX_VCPUS + 1;
    c.vcpus_online = 1;
    EXPECT_EQ(guest_config_of(c).error().code, "VM_TOO_MANY_VCPUS");
    c = busybox();
    c.vcpus_online = 3;
    EXPECT_EQ(guest_config_of(c).error().code, "VM_TOO_MANY_VCPUS");
}

TEST(TernMapping, StatesAndShutdownReasons) {
    tern_domain_info d{};
    d.state = TERN_DOMAIN_PAUSED;
    EXPECT_EQ(state_of(d), DomainState::paused);
    d.state = TERN_DOMAIN_RUNNING;
    EXPECT_EQ(state_of(d), DomainState::running);
    d.state = TERN_DOMAIN_SHUTDOWN;
    d.shutdown_reason = TERN_SHUTDOWN_POWEROFF;
    EXPECT_EQ(state_of(d), DomainState::shutdown);
    d.shutdown_reason = TERN_SHUTDOWN_CRASH;
    EXPECT_EQ(state_of(d), DomainState::crashed);
    d.shutdown_reason = TERN_SHUTDOWN_WATCHDOG;
    EXPECT_EQ(state_of(d), DomainState::crashed);

    EXPECT_EQ(exit_of(TERN_SHUTDOWN_POWEROFF), GuestExit::poweroff);
    EXPECT_EQ(exit_of(TERN_SHUTDOWN_REBOOT), GuestExit::reboot);
    EXPECT_EQ(exit_of(TERN_SHUTDOWN_CRASH), GuestExit::crash);
    EXPECT_EQ(exit_of(TERN_SHUTDOWN_WATCHDOG), GuestExit::crash);
    EXPECT_EQ(exit_of(TERN_SHUTDOWN_SUSPEND), GuestExit::poweroff);
}

}  // namespace
}  // namespace tern::xapi
