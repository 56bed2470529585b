// The per-VM operation slot.
#include "lifecycle/operation_slot.hpp"

#include <iostream>

#include "api/call_context.hpp"
#include "api/ref.hpp"
#include "api/task_registry.hpp"
#include "lifecycle/power_table.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

std::string operation_id(CallContext& ctx) {
    return ctx.task() ? ctx.task()->ref : make_ref();
}

}  // namespace

OperationSlot::OperationSlot(CallContext& ctx, std::string vm, VmOperations op)
    : OperationSlot(ctx.store(), std::move(vm), op, operation_id(ctx)) {}

OperationSlot::OperationSlot(ObjectStore& store, std::string vm, VmOperations op, std::string id)
    : store_(store), vm_(std::move(vm)), id_(std::move(id)) {
    const int cls = store_.class_index("VM");
    const int field = store_.field_index(cls, "current_operations");
    store_.transact([&](Transaction& txn) {
        const rpc::Struct* record = txn.get(cls, vm_);
        if (record == nullptr)
            throw std::runtime_error("no such VM: " + vm_);
        record_ = VMRecord::from_struct(*record);
        check_operation(vm_, record_, op);
        rpc::Struct current;
        current.emplace(id_, to_canonical(op));
        txn.set_field(cls, vm_, field, rpc::Value{std::move(current)});
        refresh_allowed_operations(txn, vm_);
    });
    held_ = true;
}

OperationSlot::~OperationSlot() {
    if (!held_)
        return;
    try {
        store_.transact([&](Transaction& txn) { release(txn); });
    } catch (const std::exception& e) {
        std::cerr << "xapid: cannot free the operation slot of " << vm_ << ": " << e.what() << "\n";
    }
}

void OperationSlot::release(Transaction& txn) {
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

void OperationSlot::finish(const std::function<void(Transaction&)>& change) {
    store_.transact([&](Transaction& txn) {
        change(txn);
        release(txn);
    });
    held_ = false;
}

}  // namespace tern::xapi
