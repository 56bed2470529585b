// The `disk` entries of a guest config: xm's "TARGET,VDEV,MODE" with its format prefixes, the
// device numbers blkfront expects, and the mistakes each named with its line and column.
#include "dom0/builder/disk_spec.hpp"

#include <gtest/gtest.h>

#include "dom0/builder/guest_config.hpp"

namespace tern::dom0 {
namespace {

std::string error_of(std::string_view text) {
    try {
        parse_disk_spec(text);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}

TEST(DiskSpec, XmFormsWithTheirFormats) {
    const DiskSpec raw = parse_disk_spec("file:/srv/root.img,xvda,w");
    EXPECT_EQ(raw.path, "/srv/root.img");
    EXPECT_EQ(raw.format, "raw");
    EXPECT_EQ(raw.vdev, "xvda");
    EXPECT_EQ(raw.devid, 51712u);  // 202 << 8
    EXPECT_TRUE(raw.writable);
    const DiskSpec qcow2 = parse_disk_spec("qcow2:/srv/data.qcow2,xvdb,r");
    EXPECT_EQ(qcow2.format, "qcow2");
    EXPECT_EQ(qcow2.devid, 51728u);  // 202 << 8 | 1 << 4
    EXPECT_FALSE(qcow2.writable);
    EXPECT_EQ(parse_disk_spec("tap:qcow2:/a,xvdc,rw").format, "qcow2");
    EXPECT_EQ(parse_disk_spec("tap:aio:/a,xvdp,ro").format, "raw");
    EXPECT_EQ(parse_disk_spec("tap:aio:/a,xvdp,ro").devid, (202u << 8) | (15u << 4));
    EXPECT_EQ(parse_disk_spec("/bare/path,xvdd,w!").format, "raw");
}

TEST(DiskSpec, MistakesSayWhatIsWrong) {
    EXPECT_NE(error_of("file:/a,xvda").find("TARGET,VDEV,MODE"), std::string::npos);
    EXPECT_NE(error_of("file:/a,xvda,w,extra").find("TARGET,VDEV,MODE"), std::string::npos);
    EXPECT_NE(error_of("phy:/dev/sda,xvda,w").find("unsupported disk target"), std::string::npos);
    EXPECT_NE(error_of("tap:vhd:/a,xvda,w").find("unsupported disk target"), std::string::npos);
    EXPECT_NE(error_of("file:relative.img,xvda,w").find("absolute path"), std::string::npos);
    EXPECT_NE(error_of("file:/a,hda,w").find("xvda to xvdp"), std::string::npos);
    EXPECT_NE(error_of("file:/a,xvdq,w").find("xvda to xvdp"), std::string::npos);
    EXPECT_NE(error_of("file:/a,xvda1,w").find("xvda to xvdp"), std::string::npos);
    EXPECT_NE(error_of("file:/a,xvda,x").find("unknown disk mode 'x'"), std::string::npos);
}

TEST(GuestConfigDisks, AListSpanningLinesWithComments) {
    const auto c = parse_guest_config(
        "kernel = \"k\"\nmemory = 64\n"
        "disk = [ \"file:/a.img,xvda,w\",   # the root\n"
        "         \"qcow2:/b.qcow2,xvdb,r\" ]\n",
        "guest.cfg");
    ASSERT_EQ(c.disks.size(), 2u);
    EXPECT_EQ(c.disks[0].path, "/a.img");
    EXPECT_EQ(c.disks[1].vdev, "xvdb");
    EXPECT_TRUE(parse_guest_config("kernel = \"k\"\nmemory = 1\ndisk = []\n", "g").disks.empty());
}

TEST(GuestConfigDisks, MistakesNameTheLineAndColumn) {
    auto error = [](const std::string& text) -> std::string {
        try {
            parse_guest_config("kernel = \"k\"\nmemory = 64\n" + text, "guest.cfg");
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "no error";
    };
    EXPECT_EQ(error("disk = [ \"file:/a,xvda,q\" ]\n"),
              "guest.cfg:3:10: unknown disk mode 'q' (w or r)");
    EXPECT_EQ(error("disk = [ \"file:/a,xvda,w\", \"file:/b,xvda,w\" ]\n"),
              "guest.cfg:3:28: virtual device 'xvda' is used twice");
    EXPECT_EQ(error("disk = [ \"file:/a,xvda,w\" \"file:/b,xvdb,w\" ]\n"),
              "guest.cfg:3:27: expected ',' or ']' in the disk list");
    EXPECT_EQ(error("disk = \"file:/a,xvda,w\"\n"), "guest.cfg:3:8: expected '['");
    EXPECT_EQ(error("disk = [ \"file:/a,xvda,w\"\n"),
              "guest.cfg:4:1: expected ',' or ']' in the disk list");
}

}  // namespace
}  // namespace tern::dom0
