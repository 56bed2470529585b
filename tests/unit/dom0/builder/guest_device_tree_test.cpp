// The guest device tree, read back with the hypervisor's FDT reader: the nodes Linux needs to
// find its RAM, GIC, timer, Xen and ramdisk, at libxl's addresses.
#include "dom0/builder/guest_device_tree.hpp"

#include <gtest/gtest.h>

#include "dom0/builder/domain_builder.hpp"
#include "lib/fdt.hpp"

namespace tern::dom0 {
namespace {

TEST(GuestDeviceTree, HasTheNodesLinuxLooksFor) {
    GuestTreeParams p;
    p.ram_size = 64ull << 20;
    p.vcpus = 2;
    p.bootargs = "console=hvc0";
    p.initrd_start = 0x43800000;
    p.initrd_end = 0x43900000;
    const auto blob = write_guest_device_tree(p);
    auto fdt = lib::Fdt::open(blob.data(), blob.size());
    ASSERT_TRUE(fdt.ok());
    const auto root = fdt->root();
    EXPECT_TRUE(fdt->is_compatible(root, "xen,xenvm"));
    auto memory = fdt->find_path("/memory@40000000");
    ASSERT_TRUE(memory.has_value());
    auto bank = fdt->reg(root, *memory, 0);
    ASSERT_TRUE(bank.has_value());
    EXPECT_EQ(bank->address, 0x40000000u);
    EXPECT_EQ(bank->size, 64ull << 20);
    auto chosen = fdt->find_path("/chosen");
    ASSERT_TRUE(chosen.has_value());
    EXPECT_EQ(fdt->string_property(*chosen, "bootargs"), "console=hvc0");
    EXPECT_TRUE(fdt->property(*chosen, "linux,initrd-start").has_value());
    EXPECT_TRUE(fdt->find_path("/cpus/cpu@1").has_value());
    EXPECT_FALSE(fdt->find_path("/cpus/cpu@2").has_value());
    auto gic = fdt->find_path("/interrupt-controller@3001000");
    ASSERT_TRUE(gic.has_value());
    EXPECT_TRUE(fdt->is_compatible(*gic, "arm,gic-v3"));
    EXPECT_EQ(fdt->reg(root, *gic, 0)->address, 0x3001000u);
    EXPECT_EQ(fdt->reg(root, *gic, 1)->address, 0x3020000u);
    EXPECT_EQ(fdt->reg(root, *gic, 1)->size, 2u * 0x20000u);
    EXPECT_EQ(fdt->u32_property(root, "interrupt-parent"), fdt->u32_property(*gic, "phandle"));
    auto xen = fdt->find_path("/hypervisor");
    ASSERT_TRUE(xen.has_value());
    EXPECT_TRUE(fdt->is_compatible(*xen, "xen,xen"));
    EXPECT_EQ(fdt->reg(root, *xen, 0)->size, 0x1000000u);
    auto psci = fdt->find_path("/psci");
    ASSERT_TRUE(psci.has_value());
    EXPECT_EQ(fdt->string_property(*psci, "method"), "hvc");
    EXPECT_TRUE(fdt->find_path("/timer").has_value());
}

TEST(Arm64ImageHeader, AcceptsAnImageAndRefusesAnythingElse) {
    std::vector<std::uint8_t> image(4096, 0);
    image[56] = 'A';
    image[57] = 'R';
    image[58] = 'M';
    image[59] = 0x64;
    image[16] = 0x00;
    image[17] = 0x20;  // image_size 8 KiB (BSS beyond the file)
    const auto header = read_arm64_image_header(image);
    EXPECT_EQ(header.text_offset, 0u);
    EXPECT_EQ(header.image_size, 8192u);
    image[59] = 0x65;
    EXPECT_THROW(read_arm64_image_header(image), std::runtime_error);
    EXPECT_THROW(read_arm64_image_header(std::vector<std::uint8_t>(10)), std::runtime_error);
}

}  // namespace
}  // namespace tern::dom0
