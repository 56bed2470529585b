// Reading the boot device tree.
#include "common/boot_info.hpp"

namespace tern::hv {

std::uint64_t BootInfo::total_ram() const {
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < bank_count; ++i)
        total += banks[i].size;
    return total;
}

const BootModule* BootInfo::module(ModuleKind kind) const {
    for (std::size_t i = 0; i < module_count; ++i) {
        if (modules[i].kind == kind)
            return &modules[i];
    }
    return nullptr;
}

namespace {

void read_memory(const lib::Fdt& fdt, BootInfo& info) {
    fdt.for_each_child(fdt.root(), [&](lib::Fdt::Node node) {
        if (fdt.string_property(node, "device_type") != std::string_view("memory"))
            return true;
        for (std::size_t i = 0; info.bank_count < BootInfo::kMaxBanks; ++i) {
            auto r = fdt.reg(fdt.root(), node, i);
            if (!r)
                break;
            if (r->size != 0)
                info.banks[info.bank_count++] = MemoryBank{r->address, r->size};
        }
        return true;
    });
}

void read_cpus(const lib::Fdt& fdt, BootInfo& info) {
    auto cpus = fdt.find_path("/cpus");
    if (!cpus)
        return;
    fdt.for_each_child(*cpus, [&](lib::Fdt::Node node) {
        if (fdt.string_property(node, "device_type") != std::string_view("cpu"))
            return true;
        if (info.cpu_count == BootInfo::kMaxCpus)
            return false;
        auto id = fdt.reg(*cpus, node, 0);
        info.cpu_ids[info.cpu_count++] = id ? id->address : 0;
        return true;
    });
}

std::optional<std::uint64_t> uart_at(const lib::Fdt& fdt, std::string_view path) {
    path = path.substr(0, path.find(':'));  // "/pl011@9000000:115200n8"
    auto node = fdt.find_path(path);
    if (!node || !fdt.is_compatible(*node, "arm,pl011"))
        return std::nullopt;
    auto r = fdt.reg(fdt.root(), *node, 0);
    if (!r)
        return std::nullopt;
    return r->address;
}

void read_chosen(const lib::Fdt& fdt, BootInfo& info) {
    auto chosen = fdt.find_path("/chosen");
    if (!chosen)
        return;
    // Xen reads xen,xen-bootargs first; QEMU's -append writes bootargs.
    if (auto args = fdt.string_property(*chosen, "xen,xen-bootargs")) {
        info.command_line = *args;
    } else if (auto plain = fdt.string_property(*chosen, "bootargs")) {
        info.command_line = *plain;
    }
    if (auto out = fdt.string_property(*chosen, "stdout-path"))
        info.uart_base = uart_at(fdt, *out);
    fdt.for_each_child(*chosen, [&](lib::Fdt::Node node) {
        if (info.module_count == BootInfo::kMaxModules)
            return false;
        BootModule m;
        if (fdt.is_compatible(node, "multiboot,kernel")) {
            m.kind = ModuleKind::kernel;
        } else if (fdt.is_compatible(node, "multiboot,ramdisk")) {
            m.kind = ModuleKind::ramdisk;
        } else {
            return true;
        }
        // QEMU's guest-loader writes module addresses with the root's cell sizes and no
        // #address-cells in /chosen; a tree that has them in /chosen is read with those.
        const bool own_cells = fdt.property(*chosen, "#address-cells").has_value();
        auto r = fdt.reg(own_cells ? *chosen : fdt.root(), node, 0);
        if (!r || r->size == 0)
            return true;
        m.address = r->address;
        m.size = r->size;
        m.bootargs = fdt.string_property(node, "bootargs").value_or("");
        info.modules[info.module_count++] = m;
        return true;
    });
}

}  // namespace

Result<BootInfo> read_boot_info(const lib::Fdt& fdt) {
    BootInfo info;
    read_memory(fdt, info);
    read_cpus(fdt, info);
    read_chosen(fdt, info);
    if (!info.uart_base) {
        // No stdout-path: the first PL011 of the tree.
        fdt.for_each_child(fdt.root(), [&](lib::Fdt::Node node) {
            if (!fdt.is_compatible(node, "arm,pl011"))
                return true;
            if (auto r = fdt.reg(fdt.root(), node, 0))
                info.uart_base = r->address;
            return false;
        });
    }
    fdt.for_each_child(fdt.root(), [&](lib::Fdt::Node node) {
        if (!fdt.is_compatible(node, "arm,gic-v3"))
            return true;
        auto dist = fdt.reg(fdt.root(), node, 0);
        auto redist = fdt.reg(fdt.root(), node, 1);
        if (dist && redist) {
            info.gic_distributor = dist->address;
            info.gic_redistributors = redist->address;
            info.gic_redistributors_size = redist->size;
        }
        fdt.for_each_child(node, [&](lib::Fdt::Node child) {
            if (fdt.is_compatible(child, "arm,gic-v3-its")) {
                if (auto r = fdt.reg(node, child, 0)) {
                    info.gic_its = r->address;
                    info.gic_its_size = r->size;
                }
            }
            return true;
        });
        return false;
    });
    // The console UART's interrupt: its first "interrupts" entry, if that is an SPI (GIC
    // binding: type 0 = SPI, number, flags).
    if (info.uart_base) {
        fdt.for_each_child(fdt.root(), [&](lib::Fdt::Node node) {
            auto r = fdt.reg(fdt.root(), node, 0);
            if (!r || r->address != *info.uart_base)
                return true;
            auto cells = fdt.property(node, "interrupts");
            if (cells && cells->size() >= 8) {
                const auto* c = cells->data();
                const std::uint32_t type = (c[0] << 24) | (c[1] << 16) | (c[2] << 8) | c[3];
                const std::uint32_t number = (c[4] << 24) | (c[5] << 16) | (c[6] << 8) | c[7];
                if (type == 0)
                    info.uart_intid = 32 + number;
            }
            return false;
        });
    }
    if (info.bank_count == 0 || info.cpu_count == 0)
        return Status::not_found;
    return info;
}

}  // namespace tern::hv
