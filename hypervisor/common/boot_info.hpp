// Defines BootInfo: what the hypervisor learns from the device tree it is booted with — RAM
// banks, CPUs, its console UART, its own command line and the dom0 modules
// (`multiboot,kernel` / `multiboot,ramdisk` under /chosen, as QEMU's guest-loader and U-Boot
// write them for Xen).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "lib/fdt.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/status.hpp"

namespace tern::hv {

struct MemoryBank {
    std::uint64_t base = 0;
    std::uint64_t size = 0;
};

enum class ModuleKind { kernel, ramdisk };

struct BootModule {
    ModuleKind kind = ModuleKind::kernel;
    std::uint64_t address = 0;
    std::uint64_t size = 0;
    std::string_view bootargs;  // the kernel's command line
};

struct BootInfo {
    static constexpr std::size_t kMaxBanks = 8;
    static constexpr std::size_t kMaxModules = 4;
    static constexpr std::size_t kMaxCpus = arch::kMaxCpus;
    std::array<MemoryBank, kMaxBanks> banks{};
    std::size_t bank_count = 0;
    std::array<BootModule, kMaxModules> modules{};
    std::size_t module_count = 0;
    std::size_t cpu_count = 0;
    std::array<std::uint64_t, kMaxCpus> cpu_ids{};  // MPIDR affinity values from /cpus/cpu@N reg
    std::optional<std::uint64_t> uart_base;
    // The GICv3 distributor and redistributor region (an "arm,gic-v3" node's first two reg
    // entries); 0 when the machine has no GICv3.
    std::uint64_t gic_distributor = 0;
    std::uint64_t gic_redistributors = 0;
    std::uint64_t gic_redistributors_size = 0;
    std::uint64_t gic_its = 0;  // its ITS, if any (a child "arm,gic-v3-its")
    std::uint64_t gic_its_size = 0;
    std::optional<std::uint32_t> uart_intid;  // the console UART's interrupt (an SPI)
    std::string_view command_line;

    std::uint64_t total_ram() const;
    const BootModule* module(ModuleKind kind) const;
};

// Reads the tree; fails when it names no RAM or no CPU.
Result<BootInfo> read_boot_info(const lib::Fdt& fdt);

}  // namespace tern::hv
