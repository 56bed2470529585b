// The classic disk and vif strings.
#include "config/device_specs.hpp"

#include <gtest/gtest.h>

namespace tern::cli {
namespace {

TEST(DiskSpec, SplitsTheFourFields) {
    auto disk = parse_disk_spec("tap:aio:/img/a.img, xvdb ,w!,dom1");
    ASSERT_TRUE(disk.ok()) << disk.error().message;
    EXPECT_EQ(disk.value().source, "tap:aio:/img/a.img");
    EXPECT_EQ(disk.value().device, "xvdb");
    EXPECT_TRUE(disk.value().writable);
    EXPECT_EQ(disk.value().backend_domain, "dom1");
}

TEST(DiskSpec, RejectsBadShapes) {
    EXPECT_EQ(parse_disk_spec("/img,xvda,w").error().message,
              "disk '/img,xvda,w': expected TYPE:PATH (phy:, file:, tap:aio:, ...) as the first "
              "field, found '/img'");
    EXPECT_EQ(parse_disk_spec("file:/a,hdc:floppy,r").error().message,
              "disk 'file:/a,hdc:floppy,r': expected DEVICE or DEVICE:cdrom, found 'hdc:floppy'");
    EXPECT_FALSE(parse_disk_spec("file:/a,,r").ok());
}

TEST(VifSpec, ReadsKeysAndRejectsUnknownOnes) {
    auto vif = parse_vif_spec("type=ioemu, mac=00:16:3E:AA:bb:01,bridge=br0,mtu=9000");
    ASSERT_TRUE(vif.ok()) << vif.error().message;
    EXPECT_EQ(vif.value().mac, "00:16:3E:AA:bb:01");
    EXPECT_EQ(vif.value().bridge, "br0");
    EXPECT_EQ(vif.value().mtu, 9000);
    EXPECT_NE(parse_vif_spec("colour=blue").error().message.find("unknown key 'colour'"),
              std::string::npos);
    EXPECT_FALSE(parse_vif_spec("mtu=big").ok());
    EXPECT_FALSE(parse_vif_spec("bridge").ok());
}

}  // namespace
}  // namespace tern::cli
