// block-attach, block-detach, block-list, network-attach, network-detach, network-list.
#include <cstdio>

#include "commands/domain_lookup.hpp"
#include "commands/handlers.hpp"
#include "commands/json_output.hpp"
#include "commands/vm_builder.hpp"
#include "config/device_specs.hpp"

namespace tern::cli {
namespace {

std::string field(const char* pattern, const std::string& a, const std::string& b,
                  const std::string& c, const std::string& d, const std::string& e) {
    char line[512];
    std::snprintf(line, sizeof line, pattern, a.c_str(), b.c_str(), c.c_str(), d.c_str(),
                  e.c_str());
    return line;
}

}  // namespace

int run_block_attach(Invocation& invocation) {
    auto& args = invocation.args;
    auto vm = resolve_domain(invocation.api(), args[0]);
    std::string spec = args[1] + "," + args[2] + "," + args[3];
    if (args.size() == 5) {
        spec += "," + args[4];
    }
    auto disk = parse_disk_spec(spec);
    if (!disk) {
        throw UsageError(disk.error().message);
    }
    VmConfig config;
    config.name = vm.name;
    config.disks = {disk.value()};
    // Reuse the builder's disk path: an existing VDI ("vdi:name") or a new one.
    std::string vdi;
    if (disk.value().source.rfind("vdi:", 0) == 0) {
        std::string wanted = disk.value().source.substr(4);
        for (const auto& candidate : invocation.api().vdis()) {
            if (candidate.uuid == wanted || candidate.name == wanted) {
                vdi = candidate.ref;
            }
        }
        if (vdi.empty()) {
            throw CommandError("no VDI is named or has the uuid '" + wanted + "'");
        }
    } else {
        vdi = invocation.api().vdi_create(
            default_sr(invocation.api()).ref, vm.name + " " + disk.value().device, kDefaultDiskSize,
            false, !disk.value().writable, {{"location", disk.value().source}});
    }
    invocation.api().vbd_create(vm.ref, vdi, disk.value().device, disk.value().writable,
                                disk.value().cdrom, false);
    return 0;
}

int run_block_detach(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    for (const auto& vbd : invocation.api().vbds_of(vm.ref)) {
        if (vbd.device == invocation.args[1] || vbd.uuid == invocation.args[1]) {
            invocation.api().vbd_destroy(vbd.ref);
            return 0;
        }
    }
    throw CommandError("Device " + invocation.args[1] + " not connected to domain " + vm.name);
}

int run_block_list(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    auto vbds = invocation.api().vbds_of(vm.ref);
    auto& out = invocation.out();
    if (invocation.has("json")) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& vbd : vbds) {
            all.push_back(to_json(vbd));
        }
        out << all.dump(2) << "\n";
        return 0;
    }
    out << field("%-8s %-5s %-5s %-9s %s\n", "Vdev", "Mode", "Type", "Attached", "UUID");
    for (const auto& vbd : vbds) {
        out << field("%-8s %-5s %-5s %-9s %s\n", vbd.device, vbd.mode, vbd.type,
                     vbd.currently_attached ? "yes" : "no", vbd.uuid);
        if (invocation.has("long")) {
            out << "    VDI " << vbd.vdi << (vbd.bootable ? ", bootable" : "") << "\n";
        }
    }
    return 0;
}

int run_network_attach(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    std::string spec;
    for (std::size_t i = 1; i < invocation.args.size(); ++i) {
        spec += (spec.empty() ? "" : ",") + invocation.args[i];
    }
    auto vif = parse_vif_spec(spec);
    if (!vif) {
        throw UsageError(vif.error().message);
    }
    auto existing = invocation.api().vifs_of(vm.ref);
    std::string device =
        vif.value().device.empty() ? std::to_string(existing.size()) : vif.value().device;
    auto network = network_for(invocation.api(), vif.value().bridge);
    invocation.api().vif_create(vm.ref, network.ref, device, vif.value().mac, vif.value().mtu);
    return 0;
}

int run_network_detach(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    const std::string& wanted = invocation.args[1];
    for (const auto& vif : invocation.api().vifs_of(vm.ref)) {
        if (vif.device == wanted || vif.uuid == wanted || vif.mac == wanted) {
            invocation.api().vif_destroy(vif.ref);
            return 0;
        }
    }
    throw CommandError("Device " + wanted + " not connected to domain " + vm.name);
}

int run_network_list(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    auto vifs = invocation.api().vifs_of(vm.ref);
    auto& out = invocation.out();
    if (invocation.has("json")) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& vif : vifs) {
            all.push_back(to_json(vif));
        }
        out << all.dump(2) << "\n";
        return 0;
    }
    out << field("%-5s %-17s %-5s %-9s %s\n", "Idx", "MAC", "MTU", "Attached", "UUID");
    for (const auto& vif : vifs) {
        out << field("%-5s %-17s %-5s %-9s %s\n", vif.device, vif.mac, std::to_string(vif.mtu),
                     vif.currently_attached ? "yes" : "no", vif.uuid);
        if (invocation.has("long")) {
            out << "    network " << vif.network << "\n";
        }
    }
    return 0;
}

}  // namespace tern::cli
