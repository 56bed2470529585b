// Per-class create and destroy rules.
#include "api/object_rules.hpp"

#include <cstdio>
#include <filesystem>
#include <random>

#include "api/api_error.hpp"
#include "api/marshal.hpp"
#include "api/record_convert.hpp"
#include "api/ref.hpp"
#include "lifecycle/domain_ops.hpp"
#include "lifecycle/power_table.hpp"
#include "lifecycle/vm_companions.hpp"
#include "records_generated.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

void check_vm_configuration(const VMRecord& vm) {
    if (!(vm.memory_static_min <= vm.memory_dynamic_min &&
          vm.memory_dynamic_min <= vm.memory_dynamic_max &&
          vm.memory_dynamic_max <= vm.memory_static_max)) {
        throw ApiError("MEMORY_CONSTRAINT_VIOLATION",
                       {"memory_static_min <= memory_dynamic_min <= memory_dynamic_max <= "
                        "memory_static_max"});
    }
    if (vm.memory_static_min < 0)
        throw ApiError("MEMORY_CONSTRAINT_VIOLATION", {"memory_static_min >= 0"});
    if (vm.VCPUs_max < 1) {
        throw ApiError("VALUE_NOT_SUPPORTED",
                       {"VCPUs_max", std::to_string(vm.VCPUs_max), "must be at least 1"});
    }
    if (vm.VCPUs_at_startup < 1 || vm.VCPUs_at_startup > vm.VCPUs_max) {
        throw ApiError("VALUE_NOT_SUPPORTED",
                       {"VCPUs_at_startup", std::to_string(vm.VCPUs_at_startup),
                        "must be between 1 and VCPUs_max"});
    }
    if (!vm.HVM_boot_policy.empty() && vm.HVM_boot_policy != "BIOS order") {
        throw ApiError("VALUE_NOT_SUPPORTED",
                       {"HVM_boot_policy", vm.HVM_boot_policy, "the only policy is 'BIOS order'"});
    }
}

void check_vm(CallContext& ctx, rpc::Struct& record) {
    (void)ctx;
    check_vm_configuration(VMRecord::from_struct(record));
    // A new VM is Halted whatever the record said.
    record["power_state"] = to_canonical(VmPowerState::Halted);
    record["domid"] = std::int64_t{-1};
}

void add_vm_metrics(CallContext& ctx, Transaction& txn, const std::string& vm) {
    add_vm_companions(txn, vm, ctx.state().host_ref);
}

void check_vm_destroy(CallContext& ctx, const std::string& ref) {
    ObjectStore& store = ctx.store();
    auto record = store.get(store.class_index("VM"), ref);
    if (!record)
        throw ApiError::handle_invalid("VM", ref);
    const VMRecord vm = VMRecord::from_struct(*record);
    check_operation(ref, vm, VmOperations::destroy);
    // A suspended VM's image goes with it.
    std::error_code ignored;
    std::filesystem::remove(suspend_image_of(ctx.state(), vm.uuid), ignored);
}

// A VM takes its metrics and devices with it (never its disks).
void destroy_vm_dependents(Transaction& txn, const std::string& vm) {
    ObjectStore& store = txn.store();
    const int cls = store.class_index("VM");
    const rpc::Struct* record = txn.get(cls, vm);
    if (record == nullptr)
        return;
    const rpc::Struct copy = *record;
    auto destroy_ref = [&](const char* target_cls, const rpc::Value& v) {
        if (v.is<std::string>())
            txn.destroy(store.class_index(target_cls), v.as<std::string>());
    };
    destroy_ref("VM_metrics", copy.at("metrics"));
    for (const auto& [field, target_cls] :
         {std::pair{"VIFs", "VIF"}, std::pair{"VBDs", "VBD"}, std::pair{"consoles", "console"}}) {
        auto it = copy.find(field);
        if (it == copy.end() || !it->second.is<rpc::Array>())
            continue;
        for (const rpc::Value& v : it->second.as<rpc::Array>())
            destroy_ref(target_cls, v);
    }
}

// A device plugged into a running VM is unplugged before it goes.
void check_device_detached(CallContext& ctx, const char* cls, const std::string& ref) {
    ObjectStore& store = ctx.store();
    const int c = store.class_index(cls);
    auto attached = store.get_field(c, ref, store.field_index(c, "currently_attached"));
    if (attached && *attached == rpc::Value{true}) {
        throw ApiError("OPERATION_NOT_ALLOWED",
                       {std::string(cls) + " is attached to a running VM: unplug it first"});
    }
}

// Setters keep the configuration valid and allowed_operations true.
void after_vm_set(Transaction& txn, const std::string& vm, const std::string& field) {
    const rpc::Struct* record = txn.get(txn.store().class_index("VM"), vm);
    if (record == nullptr)
        return;
    if (field.starts_with("memory_") || field.starts_with("VCPUs_") || field == "HVM_boot_policy") {
        check_vm_configuration(VMRecord::from_struct(*record));
    }
    if (field == "is_a_template")
        refresh_allowed_operations(txn, vm);
}

}  // namespace

std::string make_xen_mac() {
    thread_local std::mt19937 rng{std::random_device{}()};
    std::uniform_int_distribution<int> byte(0, 255);
    char mac[18];
    std::snprintf(mac, sizeof mac, "00:16:3e:%02x:%02x:%02x", byte(rng) & 0x7f, byte(rng),
                  byte(rng));
    return mac;
}

void install_object_rules(Dispatcher& dispatcher) {
    dispatcher.set_hooks("VM", ClassHooks{check_vm, add_vm_metrics, check_vm_destroy, after_vm_set,
                                          destroy_vm_dependents});
    dispatcher.set_hooks(
        "VIF", ClassHooks{[](CallContext&, rpc::Struct& vif) {
                              auto& mac = vif["MAC"];
                              if (!mac.is<std::string>() || mac.as<std::string>().empty()) {
                                  mac = make_xen_mac();
                                  vif["MAC_autogenerated"] = true;
                              }
                              vif["currently_attached"] = false;
                          },
                          nullptr,
                          [](CallContext& ctx, const std::string& ref) {
                              check_device_detached(ctx, "VIF", ref);
                          },
                          nullptr, nullptr});
    dispatcher.set_hooks(
        "VBD", ClassHooks{[](CallContext&, rpc::Struct& vbd) { vbd["currently_attached"] = false; },
                          nullptr,
                          [](CallContext& ctx, const std::string& ref) {
                              check_device_detached(ctx, "VBD", ref);
                          },
                          nullptr, nullptr});
}

}  // namespace tern::xapi
