// Creating a VM from a config, with roll-back.
#include "commands/vm_builder.hpp"

#include <functional>
#include <optional>

#include "command.hpp"

namespace tern::cli {
namespace {

// What has been created so far, destroyed in reverse on failure.
class Undo {
  public:
    explicit Undo(XenApi& api) : api_(api) {}
    ~Undo() {
        if (committed_) {
            return;
        }
        for (auto step = steps_.rbegin(); step != steps_.rend(); ++step) {
            try {
                (*step)();
            } catch (const std::exception&) {
                // Best effort: the original failure is what the user needs to see.
            }
        }
    }
    void add(std::function<void()> step) { steps_.push_back(std::move(step)); }
    void commit() { committed_ = true; }

  private:
    XenApi& api_;
    std::vector<std::function<void()>> steps_;
    bool committed_ = false;
};

// "vdi:NAME-OR-UUID" names an existing VDI.
std::optional<VdiRecord> existing_vdi(XenApi& api, const std::string& source) {
    if (source.rfind("vdi:", 0) != 0) {
        return std::nullopt;
    }
    std::string wanted = source.substr(4);
    for (auto& vdi : api.vdis()) {
        if (vdi.uuid == wanted || vdi.name == wanted) {
            return vdi;
        }
    }
    throw CommandError("disk '" + source + "': no VDI is named or has the uuid '" + wanted + "'");
}

}  // namespace

SrRecord default_sr(XenApi& api, const std::string& wanted) {
    auto srs = api.srs();
    if (!wanted.empty()) {
        for (const auto& sr : srs) {
            if (sr.uuid == wanted || sr.name == wanted) {
                return sr;
            }
        }
        throw CommandError("no storage repository is named or has the uuid '" + wanted + "'");
    }
    for (const auto& sr : srs) {
        if (sr.type == "local") {
            return sr;
        }
    }
    for (const auto& sr : srs) {
        if (sr.name == "Local storage") {
            return sr;
        }
    }
    if (srs.empty()) {
        throw CommandError("the server has no storage repository for new disks");
    }
    return srs.front();
}

NetworkRecord network_for(XenApi& api, const std::string& bridge) {
    auto networks = api.networks();
    for (const auto& network : networks) {
        if (!bridge.empty() && (network.name == bridge || network.bridge == bridge)) {
            return network;
        }
    }
    if (!bridge.empty()) {
        throw CommandError("no network is named '" + bridge + "' or uses the bridge '" + bridge +
                           "'");
    }
    if (networks.empty()) {
        throw CommandError("the server has no network for the interface");
    }
    return networks.front();
}

std::string build_vm(XenApi& api, const VmConfig& config, bool transient) {
    Undo undo(api);
    std::string vm = api.vm_create(config, transient);
    undo.add([&api, vm] { api.vm_destroy(vm); });
    for (const auto& disk : config.disks) {
        std::string vdi;
        if (auto found = existing_vdi(api, disk.source)) {
            vdi = found->ref;
        } else {
            SrRecord sr = default_sr(api);
            std::string name = disk.label.empty() ? config.name + " " + disk.device : disk.label;
            vdi = api.vdi_create(sr.ref, name, disk.size > 0 ? disk.size : kDefaultDiskSize, false,
                                 !disk.writable, {{"location", disk.source}});
            undo.add([&api, vdi] { api.vdi_destroy(vdi); });
        }
        std::string vbd =
            api.vbd_create(vm, vdi, disk.device, disk.writable, disk.cdrom, disk.bootable);
        undo.add([&api, vbd] { api.vbd_destroy(vbd); });
    }
    for (std::size_t i = 0; i < config.vifs.size(); ++i) {
        const auto& vif = config.vifs[i];
        NetworkRecord network = network_for(api, vif.bridge);
        std::string device = !vif.device.empty()    ? vif.device
                             : !vif.vifname.empty() ? vif.vifname
                                                    : std::to_string(i);
        std::string ref = api.vif_create(vm, network.ref, device, vif.mac, vif.mtu);
        undo.add([&api, ref] { api.vif_destroy(ref); });
    }
    undo.commit();
    return vm;
}

void remove_vm(XenApi& api, const VmRecord& vm) {
    for (const auto& vbd : api.vbds_of(vm.ref)) {
        api.vbd_destroy(vbd.ref);
    }
    for (const auto& vif : api.vifs_of(vm.ref)) {
        api.vif_destroy(vif.ref);
    }
    api.vm_destroy(vm.ref);
}

}  // namespace tern::cli
