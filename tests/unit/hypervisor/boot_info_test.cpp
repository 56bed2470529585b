// Tests of what the hypervisor reads from its boot device tree.
#include "common/boot_info.hpp"

#include <gtest/gtest.h>

#include "dtb_for_test.hpp"

namespace tern::hv {
namespace {

TEST(BootInfo, FindsRamCpusConsoleCommandLineAndDom0Modules) {
    auto blob = load_dtb_for_test();
    auto fdt = lib::Fdt::open(blob.data(), blob.size());
    ASSERT_TRUE(fdt.ok());
    auto info = read_boot_info(fdt.value());
    ASSERT_TRUE(info.ok());
    EXPECT_EQ(info->bank_count, 1u);
    EXPECT_EQ(info->total_ram(), 2048ull << 20);
    EXPECT_EQ(info->cpu_count, 2u);
    // QEMU lists cpu@1 before cpu@0: the set is what counts.
    EXPECT_EQ(info->cpu_ids[0] + info->cpu_ids[1], 1u);
    EXPECT_NE(info->cpu_ids[0], info->cpu_ids[1]);
    ASSERT_TRUE(info->uart_base.has_value());
    EXPECT_EQ(*info->uart_base, 0x9000000u);
    // QEMU virt's GICv3: distributor at 0x8000000, redistributors from 0x80a0000.
    EXPECT_EQ(info->gic_distributor, 0x8000000u);
    EXPECT_EQ(info->gic_redistributors, 0x80a0000u);
    EXPECT_GE(info->gic_redistributors_size, 2u * 0x20000u);
    EXPECT_EQ(info->command_line, "dom0_mem=768M loglvl=all");
    const BootModule* kernel = info->module(ModuleKind::kernel);
    ASSERT_NE(kernel, nullptr);
    EXPECT_EQ(kernel->address, 0x49000000u);
    EXPECT_GT(kernel->size, 0u);
    EXPECT_EQ(kernel->bootargs, "console=hvc0");
    const BootModule* ramdisk = info->module(ModuleKind::ramdisk);
    ASSERT_NE(ramdisk, nullptr);
    EXPECT_EQ(ramdisk->address, 0x4d000000u);
}

}  // namespace
}  // namespace tern::hv
