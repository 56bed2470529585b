#include "dom0/builder/guest_device_tree.hpp"

#include <stdexcept>
#include <string_view>

#include "lib/fdt_writer.hpp"
#include "public/tern_control.h"

namespace tern::dom0 {

namespace {

constexpr std::uint32_t kGicPhandle = 65000;  // libxl's GUEST_PHANDLE_GIC
constexpr std::uint64_t kGicdSize = 0x10000;
constexpr std::uint64_t kGicrStride = 0x20000;  // one redistributor per vCPU

class Tree {
  public:
    explicit Tree(std::vector<std::uint8_t>& buffer) : writer_(buffer) {}

    void check(Status s) {
        if (s != Status::ok)
            throw std::runtime_error("cannot write the guest's device tree");
    }
    void begin(std::string_view name) { check(writer_.begin_node(name)); }
    void end() { check(writer_.end_node()); }
    void str(std::string_view name, std::string_view value) {
        check(writer_.property_string(name, value));
    }
    // NUL-separated strings, as "compatible" lists are.
    void strings(std::string_view name, std::initializer_list<std::string_view> values) {
        std::vector<std::uint8_t> bytes;
        for (std::string_view v : values) {
            bytes.insert(bytes.end(), v.begin(), v.end());
            bytes.push_back(0);
        }
        check(writer_.property(name, bytes));
    }
    void u32(std::string_view name, std::uint32_t value) {
        check(writer_.property_u32(name, value));
    }
    void cells(std::string_view name, std::initializer_list<std::uint32_t> values) {
        check(writer_.property_cells(
            name, std::span<const std::uint32_t>(values.begin(), values.size())));
    }
    void empty(std::string_view name) { check(writer_.property(name, {})); }
    std::size_t finish() {
        auto size = writer_.finish();
        check(size.status());
        return size.value();
    }

  private:
    using Status = tern::Status;
    lib::FdtWriter writer_;
};

std::uint32_t hi(std::uint64_t v) {
    return static_cast<std::uint32_t>(v >> 32);
}
std::uint32_t lo(std::uint64_t v) {
    return static_cast<std::uint32_t>(v);
}

}  // namespace

std::vector<std::uint8_t> write_guest_device_tree(const GuestTreeParams& p) {
    std::vector<std::uint8_t> buffer(64 * 1024);
    Tree t(buffer);
    t.begin("");
    t.u32("#address-cells", 2);
    t.u32("#size-cells", 2);
    t.str("model", "XENVM-4.17");
    t.strings("compatible", {"xen,xenvm-4.17", "xen,xenvm"});
    t.u32("interrupt-parent", kGicPhandle);

    t.begin("chosen");
    t.str("bootargs", p.bootargs);
    if (p.initrd_start != 0) {
        t.cells("linux,initrd-start", {hi(p.initrd_start), lo(p.initrd_start)});
        t.cells("linux,initrd-end", {hi(p.initrd_end), lo(p.initrd_end)});
    }
    t.end();

    t.begin("cpus");
    t.u32("#address-cells", 1);
    t.u32("#size-cells", 0);
    for (std::uint32_t cpu = 0; cpu < p.vcpus; ++cpu) {
        t.begin("cpu@" + std::to_string(cpu));
        t.str("device_type", "cpu");
        t.str("compatible", "arm,armv8");
        t.str("enable-method", "psci");
        t.u32("reg", cpu);
        t.end();
    }
    t.end();

    t.begin("psci");
    t.strings("compatible", {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"});
    t.str("method", "hvc");
    t.u32("cpu_off", 0x84000002);
    t.u32("cpu_on", 0xc4000003);
    t.end();

    t.begin("memory@40000000");
    t.str("device_type", "memory");
    t.cells("reg",
            {hi(TERN_GUEST_RAM0_BASE), lo(TERN_GUEST_RAM0_BASE), hi(p.ram_size), lo(p.ram_size)});
    t.end();

    t.begin("interrupt-controller@3001000");
    t.str("compatible", "arm,gic-v3");
    t.u32("#interrupt-cells", 3);
    t.u32("#address-cells", 0);
    t.empty("interrupt-controller");
    const std::uint64_t gicr_size = kGicrStride * p.vcpus;
    t.cells("reg",
            {hi(TERN_GUEST_GICD_BASE), lo(TERN_GUEST_GICD_BASE), hi(kGicdSize), lo(kGicdSize),
             hi(TERN_GUEST_GICR_BASE), lo(TERN_GUEST_GICR_BASE), hi(gicr_size), lo(gicr_size)});
    t.u32("linux,phandle", kGicPhandle);
    t.u32("phandle", kGicPhandle);
    t.end();

    t.begin("timer");
    t.str("compatible", "arm,armv8-timer");
    // Secure and non-secure physical, virtual: PPIs 13, 14, 11 (INTIDs 29, 30, 27).
    t.cells("interrupts", {1, 13, 0xf08, 1, 14, 0xf08, 1, 11, 0xf08});
    t.end();

    t.begin("hypervisor");  // no unit address: Linux looks for exactly this name
    t.strings("compatible", {"xen,xen-4.17", "xen,xen"});
    t.cells("reg", {hi(TERN_GUEST_GNTTAB_BASE), lo(TERN_GUEST_GNTTAB_BASE),
                    hi(TERN_GUEST_GNTTAB_SIZE), lo(TERN_GUEST_GNTTAB_SIZE)});
    t.cells("interrupts", {1, TERN_GUEST_EVTCHN_PPI - 16, 0xf08});
    t.end();

    t.end();
    buffer.resize(t.finish());
    return buffer;
}

}  // namespace tern::dom0
