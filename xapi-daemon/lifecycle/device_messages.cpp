// VBD and VIF hot-plug and CD media.
#include "lifecycle/device_messages.hpp"

#include "api/api_error.hpp"
#include "api/call_context.hpp"
#include "lifecycle/task_progress.hpp"
#include "records_generated.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

template <class Record>
Record read(CallContext& ctx, const char* cls, const std::string& ref) {
    auto record = ctx.store().get(ctx.store().class_index(cls), ref);
    if (!record)
        throw ApiError::handle_invalid(cls, ref);
    return Record::from_struct(*record);
}

// The domain of the running VM `vm`; VM_BAD_POWER_STATE when it does not run.
DomainId running_domain(CallContext& ctx, const Ref& vm) {
    const VMRecord record = read<VMRecord>(ctx, "VM", vm.id);
    if (record.power_state != VmPowerState::Running) {
        throw ApiError("VM_BAD_POWER_STATE",
                       {vm.id, "Running", std::string(to_string(record.power_state))});
    }
    return DomainId{static_cast<std::int32_t>(record.domid)};
}

bool vm_runs(CallContext& ctx, const Ref& vm) {
    return read<VMRecord>(ctx, "VM", vm.id).power_state == VmPowerState::Running;
}

void set(CallContext& ctx, const char* cls, const std::string& ref,
         std::initializer_list<std::pair<const char*, rpc::Value>> fields) {
    ObjectStore& store = ctx.store();
    const int c = store.class_index(cls);
    store.transact([&](Transaction& txn) {
        for (const auto& [name, value] : fields)
            txn.set_field(c, ref, store.field_index(c, name), value);
    });
}

DiskConfig disk_of(CallContext& ctx, const VBDRecord& vbd, const Ref& vdi, bool empty) {
    DiskConfig disk;
    disk.device = vbd.device.empty() ? vbd.userdevice : vbd.device;
    disk.read_only = vbd.mode == VbdMode::RO;
    disk.cdrom = vbd.type == VbdType::CD;
    if (!empty)
        disk.path = read<VDIRecord>(ctx, "VDI", vdi.id).location;
    return disk;
}

NicConfig nic_of(CallContext& ctx, const VIFRecord& vif) {
    NicConfig nic;
    nic.device = vif.device;
    nic.mac = vif.MAC;
    nic.mtu = vif.MTU;
    if (auto network = ctx.store().get(ctx.store().class_index("network"), vif.network.id))
        nic.bridge = NetworkRecord::from_struct(*network).bridge;
    return nic;
}

void must(CallContext& ctx, const Outcome<void>& outcome) {
    if (!outcome)
        raise(ctx, outcome.error());
}

// Gives a running domain's CD drive its new media: out, then in again.
void swap_media(CallContext& ctx, const VBDRecord& vbd, const Ref& vdi, bool empty) {
    if (!vbd.currently_attached || !vm_runs(ctx, vbd.VM))
        return;
    const DomainId domain = running_domain(ctx, vbd.VM);
    const DiskConfig disk = disk_of(ctx, vbd, vdi, empty);
    must(ctx, ctx.state().backend->detach_disk(domain, disk.device));
    must(ctx, ctx.state().backend->attach_disk(domain, disk));
}

}  // namespace

rpc::Value VbdHandlers::plug(CallContext& ctx, const Ref& self) {
    const VBDRecord vbd = read<VBDRecord>(ctx, "VBD", self.id);
    const DomainId domain = running_domain(ctx, vbd.VM);
    if (vbd.currently_attached)
        throw ApiError("DEVICE_ALREADY_ATTACHED", {self.id});
    must(ctx, ctx.state().backend->attach_disk(domain, disk_of(ctx, vbd, vbd.VDI, vbd.empty)));
    set(ctx, "VBD", self.id, {{"currently_attached", rpc::Value{true}}});
    return {};
}

rpc::Value VbdHandlers::unplug(CallContext& ctx, const Ref& self) {
    const VBDRecord vbd = read<VBDRecord>(ctx, "VBD", self.id);
    const DomainId domain = running_domain(ctx, vbd.VM);
    if (!vbd.currently_attached)
        throw ApiError("DEVICE_ALREADY_DETACHED", {self.id});
    const std::string device = vbd.device.empty() ? vbd.userdevice : vbd.device;
    must(ctx, ctx.state().backend->detach_disk(domain, device));
    set(ctx, "VBD", self.id, {{"currently_attached", rpc::Value{false}}});
    return {};
}

rpc::Value VbdHandlers::insert(CallContext& ctx, const Ref& vbd_ref, const Ref& vdi) {
    const VBDRecord vbd = read<VBDRecord>(ctx, "VBD", vbd_ref.id);
    if (vbd.type != VbdType::CD)
        throw ApiError("VBD_NOT_REMOVABLE_MEDIA", {vbd_ref.id});
    if (!vbd.empty)
        throw ApiError("VBD_NOT_EMPTY", {vbd_ref.id});
    if (vdi.id.empty() || vdi.id == kNullRef)
        throw ApiError::handle_invalid("VDI", vdi.id);
    swap_media(ctx, vbd, vdi, false);
    set(ctx, "VBD", vbd_ref.id, {{"VDI", rpc::Value{vdi.id}}, {"empty", rpc::Value{false}}});
    return {};
}

rpc::Value VbdHandlers::eject(CallContext& ctx, const Ref& vbd_ref) {
    const VBDRecord vbd = read<VBDRecord>(ctx, "VBD", vbd_ref.id);
    if (vbd.type != VbdType::CD)
        throw ApiError("VBD_NOT_REMOVABLE_MEDIA", {vbd_ref.id});
    if (vbd.empty)
        throw ApiError("VBD_IS_EMPTY", {vbd_ref.id});
    swap_media(ctx, vbd, Ref{kNullRef}, true);
    set(ctx, "VBD", vbd_ref.id,
        {{"VDI", rpc::Value{std::string(kNullRef)}}, {"empty", rpc::Value{true}}});
    return {};
}

rpc::Value VbdHandlers::media_change(CallContext& ctx, const Ref& vbd_ref, const Ref& vdi) {
    const VBDRecord vbd = read<VBDRecord>(ctx, "VBD", vbd_ref.id);
    if (vbd.type != VbdType::CD)
        throw ApiError("VBD_NOT_REMOVABLE_MEDIA", {vbd_ref.id});
    if (!vbd.empty)
        eject(ctx, vbd_ref);
    return insert(ctx, vbd_ref, vdi);
}

rpc::Value VifHandlers::plug(CallContext& ctx, const Ref& self) {
    const VIFRecord vif = read<VIFRecord>(ctx, "VIF", self.id);
    const DomainId domain = running_domain(ctx, vif.VM);
    if (vif.currently_attached)
        throw ApiError("DEVICE_ALREADY_ATTACHED", {self.id});
    must(ctx, ctx.state().backend->attach_nic(domain, nic_of(ctx, vif)));
    set(ctx, "VIF", self.id, {{"currently_attached", rpc::Value{true}}});
    return {};
}

rpc::Value VifHandlers::unplug(CallContext& ctx, const Ref& self) {
    const VIFRecord vif = read<VIFRecord>(ctx, "VIF", self.id);
    const DomainId domain = running_domain(ctx, vif.VM);
    if (!vif.currently_attached)
        throw ApiError("DEVICE_ALREADY_DETACHED", {self.id});
    must(ctx, ctx.state().backend->detach_nic(domain, vif.device));
    set(ctx, "VIF", self.id, {{"currently_attached", rpc::Value{false}}});
    return {};
}

}  // namespace tern::xapi
