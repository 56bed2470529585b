// Defines OperationSlot: a VM's slot for one operation at a time. Taking it checks the state
// machine (power_table.hpp) and records the operation in current_operations, under the
// operation's id (its task, or a fresh reference for a synchronous call); finishing it applies
// the operation's outcome and frees the slot in one transaction, so that clients never see a
// new power state with the operation still listed. A slot not finished (the operation failed)
// is freed by the destructor with nothing else changed.
#pragma once

#include <functional>
#include <string>

#include "records_generated.hpp"

namespace tern::xapi {

class CallContext;
class ObjectStore;
class Transaction;

class OperationSlot {
  public:
    // Throws VM_BAD_POWER_STATE, VM_IS_TEMPLATE, OTHER_OPERATION_IN_PROGRESS, ... when `op`
    // is not allowed now.
    OperationSlot(ObjectStore& store, std::string vm, VmOperations op, std::string id);
    OperationSlot(CallContext& ctx, std::string vm, VmOperations op);
    ~OperationSlot();
    OperationSlot(const OperationSlot&) = delete;
    OperationSlot& operator=(const OperationSlot&) = delete;

    // The VM as it was when the slot was taken.
    const VMRecord& vm() const { return record_; }
    const std::string& ref() const { return vm_; }
    // Applies `change` and frees the slot, in one transaction.
    void finish(const std::function<void(Transaction&)>& change);

  private:
    void release(Transaction& txn);

    ObjectStore& store_;
    std::string vm_;
    std::string id_;
    VMRecord record_;
    bool held_ = false;
};

}  // namespace tern::xapi
