// Tests of dom0's device tree, rewritten from QEMU's: what is replaced, what is left out,
// what passes through; and the writer on its own, checked by dtc, a reader nobody here wrote.
#include "common/dom0_device_tree.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "dtb_for_test.hpp"
#include "lib/fdt_writer.hpp"

namespace tern::hv {
namespace {

std::string decompile_with_dtc(const std::vector<std::uint8_t>& blob, std::size_t size) {
    const std::string path = "/tmp/tern-dom0-" + std::to_string(getpid()) + ".dtb";
    {
        std::ofstream f(path, std::ios::binary);
        f.write(reinterpret_cast<const char*>(blob.data()), static_cast<std::streamsize>(size));
    }
    std::string out;
    FILE* p = popen(("dtc -q -I dtb -O dts " + path + " 2>&1; echo \"dtc-exit=$?\"").c_str(), "r");
    char buf[4096];
    while (p != nullptr && std::fgets(buf, sizeof buf, p) != nullptr)
        out += buf;
    if (p != nullptr)
        pclose(p);
    std::remove(path.c_str());
    return out;
}

struct Dom0Tree {
    std::vector<std::uint8_t> host_blob = load_dtb_for_test();
    std::vector<std::uint8_t> out = std::vector<std::uint8_t>(256 * 1024);
    std::size_t size = 0;
    MemoryBank bank{0x60000000, 512ull << 20};
    Dom0Tree(std::uint32_t vcpus) {
        auto host = lib::Fdt::open(host_blob.data(), host_blob.size());
        EXPECT_TRUE(host.ok());
        Dom0TreeParams p;
        p.ram = std::span<const MemoryBank>(&bank, 1);
        p.vcpus = vcpus;
        p.bootargs = "console=hvc0 panic=-1";
        p.initrd_start = 0x68200000;
        p.initrd_end = 0x683199fe;
        p.grant_table_base = 0x40200000;
        p.grant_table_size = 0x40000;
        p.hypervisor_uart = 0x9000000;
        auto written = write_dom0_device_tree(host.value(), p, out);
        EXPECT_TRUE(written.ok());
        if (written.ok())
            size = written.value();
    }
};

TEST(Dom0DeviceTree, RewritesWhatXenRewritesAndPassesTheRestThrough) {
    Dom0Tree t(1);
    ASSERT_GT(t.size, 0u);
    auto fdt = lib::Fdt::open(t.out.data(), t.size);
    ASSERT_TRUE(fdt.ok());
    // RAM: dom0's bank only.
    int memory_nodes = 0;
    fdt->for_each_child(fdt->root(), [&](lib::Fdt::Node n) {
        if (fdt->string_property(n, "device_type") == std::string_view("memory")) {
            ++memory_nodes;
            auto r = fdt->reg(fdt->root(), n, 0);
            EXPECT_TRUE(r.has_value());
            EXPECT_EQ(r->address, 0x60000000u);
            EXPECT_EQ(r->size, 512ull << 20);
            EXPECT_EQ(fdt->name(n), "memory@60000000");
        }
        return true;
    });
    EXPECT_EQ(memory_nodes, 1);
    // The hypervisor node Linux looks for.
    auto hyp = fdt->find_path("/hypervisor");
    ASSERT_TRUE(hyp.has_value());
    EXPECT_TRUE(fdt->is_compatible(*hyp, "xen,xen"));
    EXPECT_TRUE(fdt->is_compatible(*hyp, "xen,xen-4.17"));
    auto grant = fdt->reg(fdt->root(), *hyp, 0);
    ASSERT_TRUE(grant.has_value());
    EXPECT_EQ(grant->address, 0x40200000u);
    EXPECT_EQ(fdt->property(*hyp, "interrupts")->size(), 12u);
    // PSCI through HVC, one vCPU, dom0's command line and initrd.
    EXPECT_EQ(fdt->string_property(*fdt->find_path("/psci"), "method"), std::string_view("hvc"));
    int cpus = 0;
    fdt->for_each_child(*fdt->find_path("/cpus"), [&](lib::Fdt::Node) { return ++cpus, true; });
    EXPECT_EQ(cpus, 1);
    auto chosen = fdt->find_path("/chosen");
    ASSERT_TRUE(chosen.has_value());
    EXPECT_EQ(fdt->string_property(*chosen, "bootargs"), std::string_view("console=hvc0 panic=-1"));
    EXPECT_EQ(fdt->property(*chosen, "linux,initrd-start")->size(), 8u);
    EXPECT_FALSE(fdt->child(*chosen, "module").has_value());
    // The hypervisor's UART is gone; the other devices pass through.
    EXPECT_FALSE(fdt->find_path("/pl011@9000000").has_value());
    EXPECT_TRUE(fdt->find_path("/pl031@9010000").has_value());
    int virtio = 0;
    fdt->for_each_child(fdt->root(), [&](lib::Fdt::Node n) {
        virtio += fdt->is_compatible(n, "virtio,mmio");
        return true;
    });
    EXPECT_EQ(virtio, 32);
    // The GIC is the virtual one: same place, no ITS, no maintenance interrupt; no PMU.
    auto gic = fdt->find_path("/intc@8000000");
    ASSERT_TRUE(gic.has_value());
    EXPECT_TRUE(fdt->is_compatible(*gic, "arm,gic-v3"));
    EXPECT_FALSE(fdt->property(*gic, "interrupts").has_value());
    EXPECT_TRUE(fdt->property(*gic, "reg").has_value());
    EXPECT_FALSE(fdt->find_path("/intc@8000000/its@8080000").has_value());
    EXPECT_FALSE(fdt->find_path("/pmu").has_value());
    // dtc reads it.
    const std::string dts = decompile_with_dtc(t.out, t.size);
    EXPECT_NE(dts.find("dtc-exit=0"), std::string::npos) << dts.substr(0, 500);
    EXPECT_NE(dts.find("hypervisor {"), std::string::npos);
}

TEST(Dom0DeviceTree, KeepsAsManyCpusAsDom0HasVcpus) {
    Dom0Tree t(2);
    auto fdt = lib::Fdt::open(t.out.data(), t.size);
    ASSERT_TRUE(fdt.ok());
    int cpus = 0;
    fdt->for_each_child(*fdt->find_path("/cpus"), [&](lib::Fdt::Node) { return ++cpus, true; });
    EXPECT_EQ(cpus, 2);
}

TEST(FdtWriter, AFullBufferIsAStatusNotAnOverflow) {
    std::vector<std::uint8_t> small(lib::FdtWriter::kStringsRoom + 200);
    lib::FdtWriter w(small);
    EXPECT_EQ(w.begin_node(""), Status::ok);
    Status last = Status::ok;
    for (int i = 0; i < 100 && last == Status::ok; ++i)
        last = w.property_string("p", "a long enough value");
    EXPECT_EQ(last, Status::out_of_range);
    EXPECT_EQ(w.finish().status(), Status::out_of_range);
}

TEST(FdtWriter, UnbalancedNodesAreRefused) {
    std::vector<std::uint8_t> buf(16384);
    lib::FdtWriter w(buf);
    EXPECT_EQ(w.end_node(), Status::invalid_argument);
    lib::FdtWriter w2(buf);
    EXPECT_EQ(w2.begin_node(""), Status::ok);
    EXPECT_EQ(w2.finish().status(), Status::invalid_argument);
}

}  // namespace
}  // namespace tern::hv
