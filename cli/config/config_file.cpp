// Dispatch between the two config formats, and the dry-run printer.
#include "config/config_file.hpp"

#include <fstream>
#include <sstream>

#include "config/classic_config.hpp"
#include "config/xml_config.hpp"

namespace tern::cli {

ConfigResult<std::vector<VmConfig>> load_config_file(const std::string& path,
                                                     const std::vector<std::string>& overrides) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return ConfigError{path, {}, "cannot read the config file"};
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    if (!looks_like_xml(text)) {
        auto config = load_classic_config(text, path, overrides);
        if (!config) {
            return config.error();
        }
        return std::vector<VmConfig>{config.value()};
    }
    auto vms = load_xml_config(text, path);
    if (!vms || overrides.empty()) {
        return vms;
    }
    auto settings = parse_overrides(overrides);
    if (!settings) {
        return settings.error();
    }
    std::vector<VmConfig> result;
    for (const auto& vm : vms.value()) {
        auto changed = apply_settings(vm, settings.value(), "command line");
        if (!changed) {
            return changed.error();
        }
        result.push_back(changed.value());
    }
    return result;
}

namespace {

void print_map(std::ostream& out, const char* name, const std::map<std::string, std::string>& map) {
    for (const auto& [key, value] : map) {
        out << name << "[" << key << "]: " << value << "\n";
    }
}

}  // namespace

void print_vm_config(std::ostream& out, const VmConfig& config) {
    out << "name: " << config.name << "\n";
    if (!config.description.empty()) {
        out << "description: " << config.description << "\n";
    }
    if (!config.uuid.empty()) {
        out << "uuid: " << config.uuid << "\n";
    }
    out << "kernel: " << config.kernel << "\n";
    out << "ramdisk: " << config.ramdisk << "\n";
    out << "args: " << config.kernel_args() << "\n";
    if (!config.bootloader.empty()) {
        out << "bootloader: " << config.bootloader << " " << config.bootloader_args << "\n";
    }
    out << "memory_static_min: " << config.memory_static_min << "\n";
    out << "memory_static_max: " << config.memory_static_max << "\n";
    out << "memory_dynamic_min: " << config.memory_dynamic_min << "\n";
    out << "memory_dynamic_max: " << config.memory_dynamic_max << "\n";
    out << "VCPUs_max: " << config.vcpus_max << "\n";
    out << "VCPUs_at_startup: " << config.vcpus_at_startup << "\n";
    print_map(out, "VCPUs_params", config.api_vcpu_params());
    out << "actions_after_shutdown: " << config.on_poweroff << "\n";
    out << "actions_after_reboot: " << config.on_reboot << "\n";
    out << "actions_after_crash: " << config.on_crash << "\n";
    for (std::size_t i = 0; i < config.disks.size(); ++i) {
        const auto& disk = config.disks[i];
        out << "disk " << i << ": " << disk.source << " as " << disk.device
            << (disk.cdrom ? " (cdrom)" : "") << (disk.writable ? " RW" : " RO")
            << (disk.bootable ? " bootable" : "");
        if (!disk.backend_domain.empty()) {
            out << " backend " << disk.backend_domain;
        }
        out << "\n";
    }
    for (std::size_t i = 0; i < config.vifs.size(); ++i) {
        const auto& vif = config.vifs[i];
        out << "vif " << i << ": device "
            << (vif.device.empty() ? "eth" + std::to_string(i) : vif.device) << " mac "
            << (vif.mac.empty() ? "(any)" : vif.mac) << " network "
            << (vif.bridge.empty() ? "(default)" : vif.bridge) << " mtu " << vif.mtu << "\n";
    }
    print_map(out, "platform", config.platform);
    print_map(out, "other_config", config.other_config);
}

}  // namespace tern::cli
