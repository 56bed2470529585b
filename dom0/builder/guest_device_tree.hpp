// Defines write_guest_device_tree: the device tree a domain built by tern-ctl boots with, in
// the layout libxl gives Arm guests (../shared/reference/xen-arm-abi.md §8.6): its RAM bank at
// GUEST_RAM0_BASE, a GICv3 at the guest GIC addresses, the architected timer, PSCI by HVC, the
// hypervisor node with the grant-table window and the event-channel PPI, and /chosen with the
// command line and ramdisk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tern::dom0 {

struct GuestTreeParams {
    std::uint64_t ram_size = 0;
    std::uint32_t vcpus = 1;
    std::string bootargs;
    std::uint64_t initrd_start = 0;  // guest physical; 0: no ramdisk
    std::uint64_t initrd_end = 0;
};

// The blob; throws std::runtime_error if it cannot be written (it always fits 64 KiB).
std::vector<std::uint8_t> write_guest_device_tree(const GuestTreeParams& params);

}  // namespace tern::dom0
