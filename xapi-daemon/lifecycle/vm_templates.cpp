// VM.clone, VM.copy and VM.provision: new VMs from a template (or a halted VM).
//
// A clone or copy is a new VM record with the source's configuration (is_a_template included,
// as in xapi: a user clears it on the new VM, or starts from VM.provision), a fresh uuid,
// metrics and MAC addresses, Halted. CD drives keep their media; disks are cloned (clone) or
// copied into `sr` (copy) by the storage handlers.
#include <algorithm>
#include <sstream>

#include "api/api_error.hpp"
#include "api/call_context.hpp"
#include "api/marshal.hpp"
#include "api/object_rules.hpp"
#include "api/ref.hpp"
#include "lifecycle/operation_slot.hpp"
#include "lifecycle/power_table.hpp"
#include "lifecycle/vm_companions.hpp"
#include "lifecycle/vm_lifecycle.hpp"
#include "storage/vdi_provision.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

// Fields of a VM that describe its run-time life, not its configuration: a copy starts them
// afresh.
const char* const kRunTimeFields[] = {"uuid",
                                      "allowed_operations",
                                      "current_operations",
                                      "power_state",
                                      "suspend_VDI",
                                      "resident_on",
                                      "memory_overhead",
                                      "memory_target",
                                      "consoles",
                                      "VIFs",
                                      "VBDs",
                                      "crash_dumps",
                                      "VTPMs",
                                      "domid",
                                      "domarch",
                                      "last_boot_CPU_flags",
                                      "is_control_domain",
                                      "metrics",
                                      "guest_metrics",
                                      "last_booted_record",
                                      "is_a_snapshot",
                                      "snapshot_of",
                                      "snapshots",
                                      "snapshot_time",
                                      "is_default_template"};

rpc::Struct defaults_of(ObjectStore& store, int cls) {
    rpc::Struct out;
    for (const FieldDesc& f : store.class_desc(cls).fields)
        out.emplace(f.name, default_value(f));
    return out;
}

std::vector<std::string> refs_in(const rpc::Struct& record, const char* field) {
    std::vector<std::string> out;
    auto it = record.find(field);
    if (it != record.end() && it->second.is<rpc::Array>()) {
        for (const rpc::Value& v : it->second.as<rpc::Array>()) {
            if (v.is<std::string>())
                out.push_back(v.as<std::string>());
        }
    }
    return out;
}

const std::string& text_of(const rpc::Struct& record, const char* field) {
    static const std::string empty;
    auto it = record.find(field);
    return it != record.end() && it->second.is<std::string>() ? it->second.as<std::string>()
                                                              : empty;
}

}  // namespace

rpc::Value VmLifecycle::copy_vm(CallContext& ctx, const Ref& vm, const std::string& new_name,
                                VmOperations op, const Ref& sr) {
    OperationSlot slot(ctx, vm.id, op);
    ObjectStore& store = ctx.store();
    const int vm_cls = store.class_index("VM");
    const int vbd_cls = store.class_index("VBD");
    const int vif_cls = store.class_index("VIF");
    auto source = store.get(vm_cls, vm.id);
    if (!source)
        throw ApiError::handle_invalid("VM", vm.id);

    // Disks first, through the storage handlers (they take their own transactions).
    std::vector<rpc::Struct> vbds;
    for (const std::string& ref : refs_in(*source, "VBDs")) {
        auto vbd = store.get(vbd_cls, ref);
        if (!vbd)
            continue;
        const std::string vdi = text_of(*vbd, "VDI");
        const bool is_disk = text_of(*vbd, "type") != "CD";
        if (is_disk && !vdi.empty() && vdi != kNullRef) {
            VDIMessages* storage = ctx.handlers().VDI;
            if (storage == nullptr)
                throw ApiError::not_implemented(op == VmOperations::copy ? "VDI.copy"
                                                                         : "VDI.clone");
            const rpc::Value made = op == VmOperations::copy
                                        ? storage->copy(ctx, Ref{vdi}, sr)
                                        : storage->clone(ctx, Ref{vdi}, rpc::Value{rpc::Struct{}});
            (*vbd)["VDI"] = made;
        }
        vbds.push_back(std::move(*vbd));
    }
    std::vector<rpc::Struct> vifs;
    for (const std::string& ref : refs_in(*source, "VIFs")) {
        if (auto vif = store.get(vif_cls, ref))
            vifs.push_back(std::move(*vif));
    }

    const std::string copy = make_ref();
    rpc::Struct record = defaults_of(store, vm_cls);
    for (auto& [name, value] : *source) {
        if (std::find_if(std::begin(kRunTimeFields), std::end(kRunTimeFields),
                         [&](const char* f) { return name == f; }) == std::end(kRunTimeFields)) {
            record[name] = value;
        }
    }
    record["uuid"] = make_uuid();
    record["name_label"] = new_name;
    store.transact([&](Transaction& txn) {
        record["metrics"] = std::string(kNullRef);
        txn.create(vm_cls, copy, std::move(record));
        add_vm_companions(txn, copy, ctx.state().host_ref);
        for (rpc::Struct& vbd : vbds) {
            vbd["uuid"] = make_uuid();
            vbd["VM"] = copy;
            vbd["currently_attached"] = false;
            vbd["current_operations"] = rpc::Struct{};
            txn.create(vbd_cls, make_ref(), std::move(vbd));
        }
        for (rpc::Struct& vif : vifs) {
            vif["uuid"] = make_uuid();
            vif["VM"] = copy;
            vif["MAC"] = make_xen_mac();
            vif["MAC_autogenerated"] = true;
            vif["currently_attached"] = false;
            vif["current_operations"] = rpc::Struct{};
            txn.create(vif_cls, make_ref(), std::move(vif));
        }
        refresh_allowed_operations(txn, copy);
    });
    return rpc::Value{copy};
}

rpc::Value VmLifecycle::clone(CallContext& ctx, const Ref& vm, const std::string& new_name) {
    return copy_vm(ctx, vm, new_name, VmOperations::clone, Ref{kNullRef});
}

rpc::Value VmLifecycle::copy(CallContext& ctx, const Ref& vm, const std::string& new_name,
                             const Ref& sr) {
    return copy_vm(ctx, vm, new_name, VmOperations::copy, sr);
}

rpc::Value VmLifecycle::provision(CallContext& ctx, const Ref& vm) {
    OperationSlot slot(ctx, vm.id, VmOperations::provision);
    // xapi's templates describe their disks in other_config["disks"]; a template without
    // that key has nothing to provision.
    auto disks = slot.vm().other_config.find("disks");
    if (disks == slot.vm().other_config.end() || disks->second.find("<disk") == std::string::npos)
        return {};
    provision_disks(ctx, vm.id, disks->second);
    return {};
}

}  // namespace tern::xapi
