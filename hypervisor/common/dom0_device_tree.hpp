// Defines write_dom0_device_tree: the device tree dom0 boots with, rewritten from the host's
// as Xen does for its dom0 (../shared/reference/xen-arm-abi.md §8.1): memory nodes for dom0's
// RAM only, cpus for dom0's vCPUs, PSCI through HVC, /chosen with dom0's command line and
// initrd, the /hypervisor node that tells Linux it runs on Xen, and the hypervisor's own UART
// left out. The GIC stays where it is (dom0 sees the virtual one at the same addresses) less
// its ITS and maintenance interrupt, and the PMU goes. Every other device passes through
// unchanged.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "common/boot_info.hpp"
#include "lib/fdt.hpp"
#include "tern/status.hpp"

namespace tern::hv {

struct Dom0TreeParams {
    std::span<const MemoryBank> ram;  // dom0's RAM (guest physical = machine physical)
    std::uint32_t vcpus = 1;
    std::string_view bootargs;
    std::uint64_t initrd_start = 0;  // 0: no initrd
    std::uint64_t initrd_end = 0;
    std::uint64_t grant_table_base = 0;  // the region where dom0 maps grant frames
    std::uint64_t grant_table_size = 0;
    std::uint32_t event_ppi = 15;       // the event-channel upcall PPI (interrupt 31)
    std::uint64_t hypervisor_uart = 0;  // the UART the hypervisor keeps (not passed through)
};

Result<std::size_t> write_dom0_device_tree(const lib::Fdt& host, const Dom0TreeParams& params,
                                           std::span<std::uint8_t> out);

}  // namespace tern::hv
