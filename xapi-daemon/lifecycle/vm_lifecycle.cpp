// VM power-state transitions and live changes.
#include "lifecycle/vm_lifecycle.hpp"

#include <algorithm>
#include <filesystem>

#include "api/api_error.hpp"
#include "api/call_context.hpp"
#include "lifecycle/domain_config_builder.hpp"
#include "lifecycle/domain_ops.hpp"
#include "lifecycle/operation_slot.hpp"
#include "lifecycle/task_progress.hpp"
#include "lifecycle/vm_state_writer.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

using O = VmOperations;

DomainId domain_of(const OperationSlot& slot) {
    return DomainId{static_cast<std::int32_t>(slot.vm().domid)};
}

void must(CallContext& ctx, const Outcome<void>& outcome) {
    if (!outcome)
        raise(ctx, outcome.error());
}

// The domain as the backend sees it now, after an operation that keeps it.
DomainInfo current(CallContext& ctx, DomainId id) {
    auto info = ctx.state().backend->domain_info(id);
    if (!info)
        throw ApiError::internal("domain " + std::to_string(id.value) + " vanished");
    return *info;
}

void finish_with_domain(CallContext& ctx, OperationSlot& slot, const DomainInfo& info,
                        bool new_boot) {
    ApiState& state = ctx.state();
    slot.finish([&](Transaction& txn) {
        record_domain(txn, slot.ref(), info, state.host_ref, now_of(state), new_boot);
    });
    refresh_host_metrics(state);
}

void finish_without_domain(CallContext& ctx, OperationSlot& slot, bool suspended) {
    ApiState& state = ctx.state();
    slot.finish(
        [&](Transaction& txn) { record_no_domain(txn, slot.ref(), suspended, now_of(state)); });
    refresh_host_metrics(state);
}

void set_vm_field(CallContext& ctx, const std::string& vm, const char* field, rpc::Value value) {
    ObjectStore& store = ctx.store();
    const int cls = store.class_index("VM");
    store.transact([&](Transaction& txn) {
        txn.set_field(cls, vm, store.field_index(cls, field), std::move(value));
    });
}

VMRecord read_vm(CallContext& ctx, const std::string& vm) {
    auto record = ctx.store().get(ctx.store().class_index("VM"), vm);
    if (!record)
        throw ApiError::handle_invalid("VM", vm);
    return VMRecord::from_struct(*record);
}

void check_memory_order(std::int64_t static_min, std::int64_t dynamic_min, std::int64_t dynamic_max,
                        std::int64_t static_max) {
    if (!(static_min <= dynamic_min && dynamic_min <= dynamic_max && dynamic_max <= static_max)) {
        throw ApiError("MEMORY_CONSTRAINT_VIOLATION",
                       {"memory_static_min <= memory_dynamic_min <= memory_dynamic_max <= "
                        "memory_static_max"});
    }
}

}  // namespace

rpc::Value VmLifecycle::start(CallContext& ctx, const Ref& vm, bool start_paused, bool force) {
    (void)force;  // no check that force could override is made before a start
    OperationSlot slot(ctx, vm.id, O::start);
    auto booted = boot_domain(ctx.state(), vm.id, start_paused, control_for(ctx, 0.0, 1.0));
    if (!booted)
        raise(ctx, booted.error());
    finish_with_domain(ctx, slot, booted.value(), true);
    return {};
}

rpc::Value VmLifecycle::pause(CallContext& ctx, const Ref& vm) {
    OperationSlot slot(ctx, vm.id, O::pause);
    must(ctx, ctx.state().backend->pause(domain_of(slot)));
    finish_with_domain(ctx, slot, current(ctx, domain_of(slot)), false);
    return {};
}

rpc::Value VmLifecycle::unpause(CallContext& ctx, const Ref& vm) {
    OperationSlot slot(ctx, vm.id, O::unpause);
    must(ctx, ctx.state().backend->unpause(domain_of(slot)));
    finish_with_domain(ctx, slot, current(ctx, domain_of(slot)), false);
    return {};
}

rpc::Value VmLifecycle::clean_shutdown(CallContext& ctx, const Ref& vm) {
    OperationSlot slot(ctx, vm.id, O::clean_shutdown);
    Backend& backend = *ctx.state().backend;
    must(ctx, backend.clean_shutdown(domain_of(slot), false, options_.shutdown_timeout,
                                     control_for(ctx, 0.0, 0.9)));
    must(ctx, backend.destroy(domain_of(slot)));
    finish_without_domain(ctx, slot, false);
    return {};
}

rpc::Value VmLifecycle::hard_shutdown(CallContext& ctx, const Ref& vm) {
    OperationSlot slot(ctx, vm.id, O::hard_shutdown);
    if (slot.vm().power_state == VmPowerState::Suspended) {
        std::error_code ignored;
        std::filesystem::remove(suspend_image_of(ctx.state(), slot.vm().uuid), ignored);
    } else {
        must(ctx, ctx.state().backend->destroy(domain_of(slot)));
    }
    finish_without_domain(ctx, slot, false);
    return {};
}

void VmLifecycle::reboot(CallContext& ctx, const Ref& vm, bool clean) {
    OperationSlot slot(ctx, vm.id, clean ? O::clean_reboot : O::hard_reboot);
    Backend& backend = *ctx.state().backend;
    if (clean) {
        must(ctx, backend.clean_shutdown(domain_of(slot), true, options_.shutdown_timeout,
                                         control_for(ctx, 0.0, 0.5)));
    }
    must(ctx, backend.destroy(domain_of(slot)));
    auto booted = boot_domain(ctx.state(), vm.id, false, control_for(ctx, 0.5, 1.0));
    if (!booted) {
        // The old domain is gone and no new one runs: the VM is Halted, and says why.
        finish_without_domain(ctx, slot, false);
        raise(ctx, booted.error());
    }
    finish_with_domain(ctx, slot, booted.value(), true);
}

rpc::Value VmLifecycle::clean_reboot(CallContext& ctx, const Ref& vm) {
    reboot(ctx, vm, true);
    return {};
}

rpc::Value VmLifecycle::hard_reboot(CallContext& ctx, const Ref& vm) {
    reboot(ctx, vm, false);
    return {};
}

rpc::Value VmLifecycle::suspend(CallContext& ctx, const Ref& vm) {
    OperationSlot slot(ctx, vm.id, O::suspend);
    const auto image = suspend_image_of(ctx.state(), slot.vm().uuid);
    std::filesystem::create_directories(image.parent_path());
    must(ctx, ctx.state().backend->suspend(domain_of(slot), image, control_for(ctx, 0.0, 1.0)));
    finish_without_domain(ctx, slot, true);
    return {};
}

rpc::Value VmLifecycle::resume(CallContext& ctx, const Ref& vm, bool start_paused, bool force) {
    (void)force;
    OperationSlot slot(ctx, vm.id, O::resume);
    Backend& backend = *ctx.state().backend;
    const auto image = suspend_image_of(ctx.state(), slot.vm().uuid);
    auto resumed =
        backend.resume(domain_config_of(ctx.store(), vm.id), image, control_for(ctx, 0.0, 0.9));
    if (!resumed)
        raise(ctx, resumed.error());
    if (!start_paused) {
        if (auto run = backend.unpause(resumed.value()); !run) {
            (void)backend.destroy(resumed.value());
            raise(ctx, run.error());
        }
    }
    std::error_code ignored;
    std::filesystem::remove(image, ignored);
    finish_with_domain(ctx, slot, current(ctx, resumed.value()), true);
    return {};
}

rpc::Value VmLifecycle::power_state_reset(CallContext& ctx, const Ref& vm) {
    ApiState& state = ctx.state();
    const VMRecord record = read_vm(ctx, vm.id);
    if (record.is_control_domain)
        throw ApiError("OPERATION_NOT_ALLOWED", {"the control domain always runs"});
    ctx.store().transact([&](Transaction& txn) {
        const int cls = txn.store().class_index("VM");
        txn.set_field(cls, vm.id, txn.store().field_index(cls, "current_operations"),
                      rpc::Value{rpc::Struct{}});
        record_no_domain(txn, vm.id, false, now_of(state));
    });
    return {};
}

rpc::Value VmLifecycle::migrate(CallContext& ctx, const Ref& vm, const std::string& dest, bool live,
                                const rpc::Value& options) {
    (void)options;  // port and resource are the real backend's business
    OperationSlot slot(ctx, vm.id, O::migrate_send);
    if (slot.vm().power_state != VmPowerState::Running) {
        throw ApiError("VM_BAD_POWER_STATE",
                       {vm.id, "Running", std::string(to_string(slot.vm().power_state))});
    }
    auto moved =
        ctx.state().backend->migrate(domain_of(slot), dest, live, control_for(ctx, 0.0, 1.0));
    if (!moved) {
        const BackendError& e = moved.error();
        if (e.code == "VM_MIGRATE_FAILED" || e.code == "TASK_CANCELLED")
            raise(ctx, e);
        throw ApiError("VM_MIGRATE_FAILED",
                       {vm.id, ctx.state().host_ref, dest,
                        e.code + (e.params.empty() ? "" : ": " + e.params[0])});
    }
    finish_without_domain(ctx, slot, false);
    return {};
}

rpc::Value VmLifecycle::pool_migrate(CallContext& ctx, const Ref& vm, const Ref& host,
                                     const rpc::Value& options) {
    (void)options;
    OperationSlot slot(ctx, vm.id, O::pool_migrate);
    if (host.id != ctx.state().host_ref) {
        throw ApiError("VM_MIGRATE_FAILED",
                       {vm.id, ctx.state().host_ref, host.id, "the pool has one host"});
    }
    finish_with_domain(ctx, slot, current(ctx, domain_of(slot)), false);
    return {};
}

rpc::Value VmLifecycle::set_VCPUs_number_live(CallContext& ctx, const Ref& self,
                                              std::int64_t nvcpu) {
    OperationSlot slot(ctx, self.id, O::changing_VCPUs_live);
    if (nvcpu < 1 || nvcpu > slot.vm().VCPUs_max)
        throw ApiError("VM_TOO_MANY_VCPUS", {self.id});
    must(ctx, ctx.state().backend->set_vcpus_online(domain_of(slot), nvcpu));
    const DomainInfo info = current(ctx, domain_of(slot));
    slot.finish([&](Transaction& txn) {
        const int cls = txn.store().class_index("VM");
        txn.set_field(cls, self.id, txn.store().field_index(cls, "VCPUs_at_startup"),
                      rpc::Value{nvcpu});
        record_domain_figures(txn, self.id, info, now_of(ctx.state()));
    });
    return {};
}

rpc::Value VmLifecycle::add_to_VCPUs_params_live(CallContext& ctx, const Ref& self,
                                                 const std::string& key, const std::string& value) {
    OperationSlot slot(ctx, self.id, O::changing_VCPUs_live);
    Backend& backend = *ctx.state().backend;
    auto params = slot.vm().VCPUs_params;
    params[key] = value;
    auto number = [&](const std::string& name, std::int64_t fallback) -> std::int64_t {
        auto it = params.find(name);
        if (it == params.end())
            return fallback;
        try {
            return std::stoll(it->second);
        } catch (const std::exception&) {
            throw ApiError("INVALID_VALUE", {name, it->second});
        }
    };
    if (key == "weight" || key == "cap") {
        must(ctx, backend.set_scheduler(domain_of(slot), number("weight", 256), number("cap", 0)));
    } else if (key.starts_with("cpumap")) {
        std::int64_t vcpu = 0;
        std::vector<std::int64_t> cpus;
        try {
            vcpu = std::stoll(key.substr(6));
            for (std::size_t pos = 0; pos < value.size();) {
                const std::size_t comma = value.find(',', pos);
                cpus.push_back(std::stoll(value.substr(pos, comma - pos)));
                pos = comma == std::string::npos ? value.size() : comma + 1;
            }
        } catch (const std::exception&) {
            throw ApiError("INVALID_VALUE", {key, value});
        }
        must(ctx, backend.pin_vcpu(domain_of(slot), vcpu, cpus));
    } else {
        throw ApiError("INVALID_VALUE", {key, value});
    }
    slot.finish([&](Transaction& txn) {
        const int cls = txn.store().class_index("VM");
        txn.set_field(cls, self.id, txn.store().field_index(cls, "VCPUs_params"),
                      to_canonical(params));
    });
    return {};
}

rpc::Value VmLifecycle::set_memory_dynamic_range(CallContext& ctx, const Ref& self,
                                                 std::int64_t min, std::int64_t max) {
    const VMRecord vm = read_vm(ctx, self.id);
    check_memory_order(vm.memory_static_min, min, max, vm.memory_static_max);
    if (vm.power_state == VmPowerState::Running) {
        OperationSlot slot(ctx, self.id, O::changing_memory_live);
        must(ctx, ctx.state().backend->set_memory_target(domain_of(slot), max));
        const DomainInfo info = current(ctx, domain_of(slot));
        slot.finish([&](Transaction& txn) {
            const int cls = txn.store().class_index("VM");
            txn.set_field(cls, self.id, txn.store().field_index(cls, "memory_dynamic_min"),
                          rpc::Value{min});
            txn.set_field(cls, self.id, txn.store().field_index(cls, "memory_dynamic_max"),
                          rpc::Value{max});
            txn.set_field(cls, self.id, txn.store().field_index(cls, "memory_target"),
                          rpc::Value{info.memory_actual});
            record_domain_figures(txn, self.id, info, now_of(ctx.state()));
        });
        refresh_host_metrics(ctx.state());
        return {};
    }
    if (vm.power_state != VmPowerState::Halted) {
        throw ApiError("VM_BAD_POWER_STATE",
                       {self.id, "Halted, Running", std::string(to_string(vm.power_state))});
    }
    set_vm_field(ctx, self.id, "memory_dynamic_min", rpc::Value{min});
    set_vm_field(ctx, self.id, "memory_dynamic_max", rpc::Value{max});
    return {};
}

rpc::Value VmLifecycle::set_memory_dynamic_max_live(CallContext& ctx, const Ref& self,
                                                    std::int64_t max) {
    const VMRecord vm = read_vm(ctx, self.id);
    if (vm.power_state != VmPowerState::Running) {
        throw ApiError("VM_BAD_POWER_STATE",
                       {self.id, "Running", std::string(to_string(vm.power_state))});
    }
    return set_memory_dynamic_range(ctx, self, vm.memory_dynamic_min, max);
}

rpc::Value VmLifecycle::set_memory_dynamic_min_live(CallContext& ctx, const Ref& self,
                                                    std::int64_t min) {
    const VMRecord vm = read_vm(ctx, self.id);
    if (vm.power_state != VmPowerState::Running) {
        throw ApiError("VM_BAD_POWER_STATE",
                       {self.id, "Running", std::string(to_string(vm.power_state))});
    }
    return set_memory_dynamic_range(ctx, self, min, vm.memory_dynamic_max);
}

rpc::Value VmLifecycle::send_sysrq(CallContext& ctx, const Ref& vm, const std::string& key) {
    OperationSlot slot(ctx, vm.id, O::send_sysrq);
    if (key.size() != 1)
        throw ApiError("INVALID_VALUE", {"key", key});
    must(ctx, ctx.state().backend->send_sysrq(domain_of(slot), key[0]));
    slot.finish([](Transaction&) {});
    return {};
}

rpc::Value VmLifecycle::send_trigger(CallContext& ctx, const Ref& vm, const std::string& trigger) {
    static const std::pair<const char*, GuestTrigger> kTriggers[] = {
        {"nmi", GuestTrigger::nmi},     {"reset", GuestTrigger::reset},
        {"init", GuestTrigger::init},   {"power", GuestTrigger::power},
        {"sleep", GuestTrigger::sleep},
    };
    OperationSlot slot(ctx, vm.id, O::send_trigger);
    auto found = std::find_if(std::begin(kTriggers), std::end(kTriggers),
                              [&](const auto& t) { return trigger == t.first; });
    if (found == std::end(kTriggers))
        throw ApiError("INVALID_VALUE", {"trigger", trigger});
    must(ctx, ctx.state().backend->send_trigger(domain_of(slot), found->second));
    slot.finish([](Transaction&) {});
    return {};
}

}  // namespace tern::xapi
