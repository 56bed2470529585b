// Defines DomainBuilder: turns a GuestConfig into a paused domain ready to run, as libxl's
// domain builder does for Arm guests: it creates the domain, gives it its RAM, loads the arm64
// Image at the start of RAM (plus its text_offset), the ramdisk and the device tree at the
// top, populates the magic pages (console ring at GUEST_MAGIC_BASE, xenstore ring next), sets
// the HVM parameters that point the guest at them with an unbound event channel each for
// dom0, and sets vCPU 0 to enter the kernel with the tree's address in x0. Any failure
// destroys the half-built domain. With TERN_BUILDER_TRACE=1 in the environment it prints
// each phase and its time on stderr.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "dom0/builder/guest_config.hpp"
#include "dom0/control/control_client.hpp"
#include "dom0/control/privcmd.hpp"

namespace tern::dom0 {

class PhaseTrace;

// What was built where (guest physical addresses) and the ports dom0's daemons bind.
struct BuiltDomain {
    std::uint32_t domain = 0;
    std::uint64_t kernel_entry = 0;
    std::uint64_t device_tree = 0;
    std::uint64_t initrd = 0;
    std::uint64_t console_gfn = 0;
    std::uint64_t store_gfn = 0;
    std::uint32_t console_port = 0;
    std::uint32_t store_port = 0;
};

// The HVM parameters (Xen's params.h) the builder sets.
inline constexpr std::uint32_t kHvmParamStorePfn = 1;
inline constexpr std::uint32_t kHvmParamStoreEvtchn = 2;
inline constexpr std::uint32_t kHvmParamConsolePfn = 17;
inline constexpr std::uint32_t kHvmParamConsoleEvtchn = 18;

class DomainBuilder {
  public:
    DomainBuilder(Privcmd& privcmd, ControlClient& control)
        : privcmd_(privcmd), control_(control) {}

    // Throws ControlError (hypervisor refusals) or std::runtime_error (files, a kernel that
    // is not an arm64 Image, not enough RAM for what must be loaded).
    BuiltDomain build(const GuestConfig& config);

  private:
    BuiltDomain build_into(std::uint32_t domain, const GuestConfig& config, PhaseTrace& trace);
    // Copies `bytes` into the domain's memory from guest physical address `at` on: the
    // hypervisor copies them from this process (write_memory); a hypervisor without that has
    // the pages mapped here, 1 MiB at a time.
    void copy_in(std::uint32_t domain, std::uint64_t at, std::span<const std::uint8_t> bytes);

    Privcmd& privcmd_;
    ControlClient& control_;
    bool map_to_copy_ = false;
};

// The arm64 Image header (Linux's Documentation/arch/arm64/booting.rst): where the kernel
// wants to sit past a 2 MiB boundary and how much room it needs including its BSS.
struct Arm64Image {
    std::uint64_t text_offset = 0;
    std::uint64_t image_size = 0;
};
// Throws std::runtime_error when `bytes` is not an arm64 Image.
Arm64Image read_arm64_image_header(std::span<const std::uint8_t> bytes);

}  // namespace tern::dom0
