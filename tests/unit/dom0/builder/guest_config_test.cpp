// The domain builder's config files: every key, comments, and a file:line:column message for
// each kind of mistake.
#include "dom0/builder/guest_config.hpp"

#include <gtest/gtest.h>

namespace tern::dom0 {
namespace {

std::string error_of(const std::string& text) {
    try {
        parse_guest_config(text, "guest.cfg");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "no error";
}

TEST(GuestConfig, EveryKeyWithCommentsAndBlankLines) {
    const auto c = parse_guest_config(
        "# a test guest\n"
        "name = \"busybox\"\n"
        "\n"
        "kernel = \"/lib/tern/Image\"   # the kernel\n"
        "ramdisk=\"/lib/tern/initrd\"\n"
        "extra = \"console=hvc0 quiet\"\n"
        "memory = 64\n"
        "vcpus = 2\r\n",
        "guest.cfg");
    EXPECT_EQ(c.name, "busybox");
    EXPECT_EQ(c.kernel, "/lib/tern/Image");
    EXPECT_EQ(c.ramdisk, "/lib/tern/initrd");
    EXPECT_EQ(c.extra, "console=hvc0 quiet");
    EXPECT_EQ(c.memory_mib, 64u);
    EXPECT_EQ(c.vcpus, 2u);
}

TEST(GuestConfig, MistakesNameTheFileLineAndColumn) {
    EXPECT_EQ(error_of("kernel = \"k\"\nmemory = 64\ncolour = \"red\"\n"),
              "guest.cfg:3:1: unknown key 'colour' (expected name, kernel, ramdisk, extra, "
              "memory, vcpus, disk or vif)");
    EXPECT_EQ(error_of("kernel = k\n"), "guest.cfg:1:10: expected a double-quoted string");
    EXPECT_EQ(error_of("kernel = \"k\nmemory = 64\n"), "guest.cfg:1:12: unterminated string");
    EXPECT_EQ(error_of("kernel = \"k\"\nmemory 64\n"), "guest.cfg:2:8: expected '='");
    EXPECT_EQ(error_of("kernel = \"k\"\nmemory = 9999\n"),
              "guest.cfg:2:10: memory in MiB must be at most 3072");
    EXPECT_EQ(error_of("kernel = \"k\"\nmemory = 64\nvcpus = 0\n"),
              "guest.cfg:3:9: vcpus must be at least 1");
    EXPECT_EQ(error_of("kernel = \"k\"\nmemory = 64 MiB\n"),
              "guest.cfg:2:13: unexpected text after the value");
    EXPECT_EQ(error_of("kernel = \"k\"\nkernel = \"j\"\nmemory = 1\n"),
              "guest.cfg:2:1: 'kernel' is set twice");
    EXPECT_EQ(error_of("memory = 64\n"), "guest.cfg:2:1: 'kernel' is required");
    EXPECT_EQ(error_of("kernel = \"k\"\n"), "guest.cfg:2:1: 'memory' is required");
}

}  // namespace
}  // namespace tern::dom0
