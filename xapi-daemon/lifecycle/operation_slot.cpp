// The per-VM operation slot, and the claims of Async calls.
#include "lifecycle/operation_slot.hpp"

#include <iostream>
#include <utility>

#include "api/call_context.hpp"
#include "api/dispatcher.hpp"
#include "api/ref.hpp"
#include "api/task_registry.hpp"
#include "lifecycle/power_table.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

std::string operation_id(CallContext& ctx) {
    return ctx.task() ? ctx.task()->ref : make_ref();
}

std::shared_ptr<OperationClaim> adopt_or_claim(CallContext& ctx, std::string vm, VmOperations op) {
    if (const auto& claim = ctx.claim(); claim && claim->ref() == vm && claim->op() == op)
        return ctx.take_claim();
    return std::make_shared<OperationClaim>(ctx.store(), std::move(vm), op, operation_id(ctx));
}

}  // namespace

OperationClaim::OperationClaim(ObjectStore& store, std::string vm, VmOperations op, std::string id)
    : store_(store), vm_(std::move(vm)), op_(op), id_(std::move(id)) {
    const int cls = store_.class_index("VM");
    const int field = store_.field_index(cls, "current_operations");
    store_.transact([&](Transaction& txn) {
        const rpc::Struct* record = txn.get(cls, vm_);
        if (record == nullptr)
            throw std::runtime_error("no such VM: " + vm_);
        record_ = VMRecord::from_struct(*record);
        check_operation(vm_, record_, op_);
        rpc::Struct current;
        current.emplace(id_, to_canonical(op_));
        txn.set_field(cls, vm_, field, rpc::Value{std::move(current)});
        refresh_allowed_operations(txn, vm_);
    });
    held_ = true;
}

OperationClaim::~OperationClaim() {
    if (!held_)
        return;
    try {
        store_.transact([&](Transaction& txn) { release(txn); });
    } catch (const std::exception& e) {
        std::cerr << "xapid: cannot free the operation slot of " << vm_ << ": " << e.what() << "\n";
    }
}

void OperationClaim::release(Transaction& txn) {
    const int cls = store_.class_index("VM");
    const rpc::Struct* record = txn.get(cls, vm_);
    if (record == nullptr)
        return;
    rpc::Struct current;
    if (auto it = record->find("current_operations");
        it != record->end() && it->second.is<rpc::Struct>()) {
        current = it->second.as<rpc::Struct>();
    }
    current.erase(id_);
    txn.set_field(cls, vm_, store_.field_index(cls, "current_operations"),
                  rpc::Value{std::move(current)});
    refresh_allowed_operations(txn, vm_);
}

void OperationClaim::finish(const std::function<void(Transaction&)>& change) {
    store_.transact([&](Transaction& txn) {
        change(txn);
        release(txn);
    });
    held_ = false;
}

OperationSlot::OperationSlot(ObjectStore& store, std::string vm, VmOperations op, std::string id)
    : claim_(std::make_shared<OperationClaim>(store, std::move(vm), op, std::move(id))) {}

OperationSlot::OperationSlot(CallContext& ctx, std::string vm, VmOperations op)
    : claim_(adopt_or_claim(ctx, std::move(vm), op)) {}

void install_async_claims(Dispatcher& dispatcher) {
    using O = VmOperations;
    // The messages whose handler claims the slot of its subject (the first argument) before
    // anything else; the others (set_memory_dynamic_range: its operation depends on the power
    // state) claim when their work runs.
    static const std::pair<const char*, VmOperations> kClaims[] = {
        {"VM.start", O::start},
        {"VM.pause", O::pause},
        {"VM.unpause", O::unpause},
        {"VM.clean_shutdown", O::clean_shutdown},
        {"VM.hard_shutdown", O::hard_shutdown},
        {"VM.clean_reboot", O::clean_reboot},
        {"VM.hard_reboot", O::hard_reboot},
        {"VM.suspend", O::suspend},
        {"VM.resume", O::resume},
        {"VM.migrate", O::migrate_send},
        {"VM.pool_migrate", O::pool_migrate},
        {"VM.set_VCPUs_number_live", O::changing_VCPUs_live},
        {"VM.add_to_VCPUs_params_live", O::changing_VCPUs_live},
        {"VM.clone", O::clone},
        {"VM.copy", O::copy},
        {"VM.provision", O::provision},
        {"VM.send_sysrq", O::send_sysrq},
        {"VM.send_trigger", O::send_trigger},
    };
    for (const auto& [method, op] : kClaims) {
        dispatcher.set_async_claim(
            method, [op](CallContext& ctx, const std::string& task, const rpc::Array& args) {
                return std::make_shared<OperationClaim>(ctx.store(), args.at(0).as<std::string>(),
                                                        op, task);
            });
    }
}

}  // namespace tern::xapi
