// The tern backend's translations between xapid's values and Tern's.
#include "backend/tern/tern_mapping.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <utility>

namespace tern::xapi {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

constexpr std::int64_t kMiB = 1 << 20;

// VIF devices in the guest's order: numbers ("0", "1", ...) by value, before any other name.
std::pair<long long, std::string> device_order(const std::string& device) {
    const bool number =
        !device.empty() && device.size() < 10 &&
        std::all_of(device.begin(), device.end(), [](char c) { return c >= '0' && c <= '9'; });
    return {number ? std::stoll(device) : std::numeric_limits<long long>::max(), device};
}

}  // namespace

DomainHandle handle_of(std::string_view uuid) {
    DomainHandle handle{};
    if (uuid.size() != 36)
        return {};
    std::size_t byte = 0;
    for (std::size_t i = 0; i < uuid.size();) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (uuid[i] != '-')
                return {};
            ++i;
            continue;
        }
        const int high = hex_value(uuid[i]);
        const int low = hex_value(uuid[i + 1]);
        if (high < 0 || low < 0)
            return {};
        handle[byte++] = static_cast<std::uint8_t>(high << 4 | low);
        i += 2;
    }
    return handle;
}

std::string uuid_of(const DomainHandle& handle) {
    bool zero = true;
    for (std::uint8_t b : handle)
        zero = zero && b == 0;
    if (zero)
        return {};
    std::string out;
    char hex[3];
    for (std::size_t i = 0; i < handle.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out += '-';
        std::snprintf(hex, sizeof hex, "%02x", handle[i]);
        out += hex;
    }
    return out;
}

Outcome<dom0::DiskSpec> disk_spec_of(const DiskConfig& disk) {
    std::string vdev = disk.device;
    if (!vdev.empty() && vdev.size() <= 2 &&
        std::all_of(vdev.begin(), vdev.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        const int index = std::stoi(vdev);  // a userdevice number: 0 is xvda
        if (index > 15)
            return BackendError{"VALUE_NOT_SUPPORTED",
                                {"device", disk.device, "Tern's guests have xvda to xvdp"}};
        vdev = std::string("xvd") + static_cast<char>('a' + index);
    }
    if (disk.cdrom)
        return not_supported("VM.start with CD drive " + disk.device,
                             "Tern's block backend serves disks, not CD drives");
    const bool qcow2 = disk.path.size() > 6 && disk.path.ends_with(".qcow2");
    const std::string text = std::string(qcow2 ? "qcow2:" : "file:") + disk.path + "," + vdev +
                             "," + (disk.read_only ? "r" : "w");
    try {
        return dom0::parse_disk_spec(text);
    } catch (const std::invalid_argument& e) {
        return BackendError{"VALUE_NOT_SUPPORTED", {"device", disk.device, e.what()}};
    }
}

Outcome<dom0::VifSpec> vif_spec_of(const NicConfig& nic, std::uint32_t devid) {
    std::string text;
    if (!nic.mac.empty())
        text = "mac=" + nic.mac;
    if (!nic.bridge.empty())
        text += (text.empty() ? "bridge=" : ",bridge=") + nic.bridge;
    try {
        return dom0::parse_vif_spec(text, devid);
    } catch (const std::invalid_argument& e) {
        return BackendError{"VALUE_NOT_SUPPORTED", {"VIF " + nic.device, e.what()}};
    }
}

Outcome<dom0::GuestConfig> guest_config_of(const DomainConfig& config) {
    std::vector<dom0::DiskSpec> disks;
    for (const DiskConfig& disk : config.disks) {
        if (disk.path.empty())
            continue;  // an empty CD drive: nothing for the guest to see
        auto spec = disk_spec_of(disk);
        if (!spec)
            return spec.error();
        disks.push_back(spec.value());
    }
    std::vector<const NicConfig*> nics;
    for (const NicConfig& nic : config.nics)
        nics.push_back(&nic);
    std::stable_sort(nics.begin(), nics.end(), [](const NicConfig* a, const NicConfig* b) {
        return device_order(a->device) < device_order(b->device);
    });
    std::vector<dom0::VifSpec> vifs;
    for (const NicConfig* nic : nics) {
        auto vif = vif_spec_of(*nic, static_cast<std::uint32_t>(vifs.size()));
        if (!vif)
            return vif.error();
        vifs.push_back(vif.value());
    }
    if (config.kernel.empty())
        return BackendError{"BOOTLOADER_FAILED",
                            {config.uuid, "the VM has no kernel (PV_kernel) to boot"}};
    const std::int64_t bytes = std::max(config.memory_max, config.memory_target);
    if (bytes <= 0)
        return BackendError{"VM_MEMORY_SIZE_TOO_LOW", {config.uuid}};
    const std::int64_t mib = (bytes + kMiB - 1) / kMiB;
    if (static_cast<std::uint64_t>(mib) > TERN_GUEST_RAM0_SIZE / kMiB)
        return BackendError{"HOST_NOT_ENOUGH_FREE_MEMORY",
                            {std::to_string(bytes), std::to_string(TERN_GUEST_RAM0_SIZE)}};
    if (config.vcpus_max < 1 || config.vcpus_max > TERN_MAX_VCPUS || config.vcpus_online < 1 ||
        config.vcpus_online > config.vcpus_max)
        return BackendError{"VM_TOO_MANY_VCPUS", {config.uuid}};
    dom0::GuestConfig guest;
    guest.name = config.name;
    guest.kernel = config.kernel;
    guest.ramdisk = config.ramdisk;
    guest.extra = config.cmdline;
    guest.memory_mib = static_cast<std::uint64_t>(mib);
    guest.vcpus = static_cast<std::uint32_t>(config.vcpus_max);
    guest.handle = handle_of(config.uuid);
    guest.disks = std::move(disks);
    guest.vifs = std::move(vifs);
    return guest;
}

DomainState state_of(const tern_domain_info& info) {
    switch (info.state) {
        case TERN_DOMAIN_PAUSED:
            return DomainState::paused;
        case TERN_DOMAIN_SHUTDOWN:
            return exit_of(info.shutdown_reason) == GuestExit::crash ? DomainState::crashed
                                                                     : DomainState::shutdown;
        default:
            return DomainState::running;
    }
}

GuestExit exit_of(std::uint32_t shutdown_reason) {
    switch (shutdown_reason) {
        case TERN_SHUTDOWN_REBOOT:
            return GuestExit::reboot;
        case TERN_SHUTDOWN_CRASH:
        case TERN_SHUTDOWN_WATCHDOG:
            return GuestExit::crash;
        default:  // poweroff, and a suspend no one asked for (it cannot be resumed)
            return GuestExit::poweroff;
    }
}

BackendError not_supported(std::string_view operation, std::string_view why) {
    return {"NOT_IMPLEMENTED",
            {std::string(operation) + " (tern backend: " + std::string(why) + ")"}};
}

BackendError no_such_domain(DomainId domain) {
    return {"HANDLE_INVALID", {"domain", std::to_string(domain.value)}};
}

}  // namespace tern::xapi
