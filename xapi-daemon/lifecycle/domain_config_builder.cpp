// From a VM's records to a DomainConfig.
#include "lifecycle/domain_config_builder.hpp"

#include "records_generated.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

template <class Record>
std::optional<Record> read_record(const ObjectStore& store, const char* cls,
                                  const std::string& ref) {
    std::optional<Record> out;
    store.read(store.class_index(cls), ref,
               [&](const rpc::Struct& r) { out = Record::from_struct(r); });
    return out;
}

}  // namespace

DomainConfig domain_config_of(const ObjectStore& store, const std::string& vm) {
    DomainConfig config;
    auto record = read_record<VMRecord>(store, "VM", vm);
    if (!record)
        return config;
    config.uuid = record->uuid;
    config.name = record->name_label;
    config.kernel = record->PV_kernel;
    config.ramdisk = record->PV_ramdisk;
    config.cmdline = record->PV_args;
    config.memory_max = record->memory_static_max;
    config.memory_target = record->memory_dynamic_max;
    config.vcpus_max = record->VCPUs_max;
    config.vcpus_online = record->VCPUs_at_startup;
    config.platform = record->platform;
    for (const Ref& vbd_ref : record->VBDs) {
        auto vbd = read_record<VBDRecord>(store, "VBD", vbd_ref.id);
        if (!vbd)
            continue;
        DiskConfig disk;
        disk.device = vbd->device.empty() ? vbd->userdevice : vbd->device;
        disk.read_only = vbd->mode == VbdMode::RO;
        disk.cdrom = vbd->type == VbdType::CD;
        if (!vbd->empty) {
            if (auto vdi = read_record<VDIRecord>(store, "VDI", vbd->VDI.id))
                disk.path = vdi->location;
        }
        config.disks.push_back(std::move(disk));
    }
    for (const Ref& vif_ref : record->VIFs) {
        auto vif = read_record<VIFRecord>(store, "VIF", vif_ref.id);
        if (!vif)
            continue;
        NicConfig nic;
        nic.device = vif->device;
        nic.mac = vif->MAC;
        nic.mtu = vif->MTU;
        if (auto network = read_record<NetworkRecord>(store, "network", vif->network.id))
            nic.bridge = network->bridge;
        config.nics.push_back(std::move(nic));
    }
    return config;
}

}  // namespace tern::xapi
