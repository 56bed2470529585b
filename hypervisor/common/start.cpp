// The generic boot flow: the arch entry (head.S) calls tern_start on the boot CPU at EL2 with
// the device tree. It reads the tree, brings up the console and reports what it found.
// Bringing up the other CPUs, the MMU, the GIC and dom0 are the next steps; until they land
// Tern powers the machine off once it has reported.
#include <cstdint>

#include "common/boot_info.hpp"
#include "common/command_line.hpp"
#include "drivers/pl011.hpp"
#include "lib/fdt.hpp"
#include "lib/format.hpp"
#include "tern/arch/cpu.hpp"

extern "C" char tern_image_start[];
extern "C" char tern_image_end[];

namespace tern::hv {
namespace {

constexpr std::size_t kMaxDeviceTreeSize = 2u << 20;  // what Linux and Xen accept too

const char* module_name(ModuleKind kind) {
    return kind == ModuleKind::kernel ? "kernel" : "ramdisk";
}

void report(lib::Out& out, const BootInfo& info, const HypervisorOptions& opts) {
    out << "(TERN) RAM " << lib::Bytes{info.total_ram()} << " in " << std::uint64_t{info.bank_count}
        << " bank(s)\n";
    for (std::size_t i = 0; i < info.bank_count; ++i) {
        const MemoryBank& b = info.banks[i];
        out << "(TERN)   bank " << std::uint64_t{i} << ": " << lib::Hex{b.base} << "-"
            << lib::Hex{b.base + b.size - 1} << " (" << lib::Bytes{b.size} << ")\n";
    }
    out << "(TERN) " << std::uint64_t{info.cpu_count} << " CPU(s)\n";
    out << "(TERN) command line \"" << info.command_line << "\"\n";
    out << "(TERN) options dom0_mem=" << lib::Bytes{opts.dom0_mem}
        << " dom0_max_vcpus=" << opts.dom0_max_vcpus << " console=" << opts.console
        << " loglvl=" << log_level_name(opts.loglvl) << " (" << opts.unknown << " unknown, "
        << opts.invalid << " invalid)\n";
    for (std::size_t i = 0; i < info.module_count; ++i) {
        const BootModule& m = info.modules[i];
        out << "(TERN) dom0 " << module_name(m.kind) << " at " << lib::Hex{m.address} << ", "
            << m.size << " bytes";
        if (m.kind == ModuleKind::kernel)
            out << ", command line \"" << m.bootargs << "\"";
        out << "\n";
    }
}

}  // namespace
}  // namespace tern::hv

extern "C" [[noreturn]] void tern_start(std::uintptr_t dtb, unsigned el,
                                        std::uintptr_t running_at) {
    using namespace tern;
    auto fdt = lib::Fdt::open(reinterpret_cast<const void*>(dtb), hv::kMaxDeviceTreeSize);
    if (!fdt.ok())
        arch::system_off();  // no tree: no console to say so on
    auto info = hv::read_boot_info(fdt.value());
    if (!info.ok() || !info->uart_base)
        arch::system_off();

    drivers::Pl011 uart(*info->uart_base);
    lib::Out out(uart);
    out << "(TERN) Tern hypervisor 0.1 starting on CPU 0 at EL" << el << "\n";
    if (el != 2) {
        out << "(TERN) must be entered at EL2; start QEMU with -machine virtualization=on\n";
        arch::system_off();
    }
    const auto linked_at = reinterpret_cast<std::uintptr_t>(tern_image_start);
    out << "(TERN) image " << lib::Hex{linked_at} << "-"
        << lib::Hex{reinterpret_cast<std::uintptr_t>(tern_image_end) - 1} << ", device tree at "
        << lib::Hex{dtb} << " (" << fdt->total_size() << " bytes)\n";
    if (running_at != linked_at) {
        out << "(TERN) loaded at " << lib::Hex{running_at} << " but linked for "
            << lib::Hex{linked_at} << "; load the Image at RAM base + its text_offset\n";
        arch::system_off();
    }
    const hv::HypervisorOptions opts = hv::parse_command_line(info->command_line);
    hv::report(out, info.value(), opts);
    if (info->module(hv::ModuleKind::kernel) == nullptr) {
        out << "(TERN) no dom0 kernel module (multiboot,kernel in /chosen): nothing to run\n";
    }
    out << "(TERN) dom0 start is not implemented yet; powering off\n";
    arch::system_off();
}
