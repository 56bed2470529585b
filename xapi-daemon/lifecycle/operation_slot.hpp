// Defines OperationClaim and OperationSlot: a VM's slot for one operation at a time.
//
// Taking a claim checks the state machine (power_table.hpp) and records the operation in
// current_operations, under the operation's id (its task, or a fresh reference for a
// synchronous call); finishing it applies the operation's outcome and frees the slot in one
// transaction, so that clients never see a new power state with the operation still listed. A
// claim not finished (the operation failed) is freed by its destructor with nothing else
// changed.
//
// An OperationSlot is the claim a handler holds while it works. An `Async.` call claims before
// it answers (install_async_claims): the dispatcher takes the claim with the task's id, so that
// a call after the answer sees the VM busy, and hands it to the task's work, whose
// OperationSlot of the same VM and operation adopts it instead of claiming again.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "records_generated.hpp"

namespace tern::xapi {

class CallContext;
class Dispatcher;
class ObjectStore;
class Transaction;

class OperationClaim {
  public:
    // Throws VM_BAD_POWER_STATE, VM_IS_TEMPLATE, OTHER_OPERATION_IN_PROGRESS, ... when `op`
    // is not allowed now.
    OperationClaim(ObjectStore& store, std::string vm, VmOperations op, std::string id);
    ~OperationClaim();
    OperationClaim(const OperationClaim&) = delete;
    OperationClaim& operator=(const OperationClaim&) = delete;

    // The VM as it was when the claim was taken.
    const VMRecord& vm() const { return record_; }
    const std::string& ref() const { return vm_; }
    VmOperations op() const { return op_; }
    // Applies `change` and frees the slot, in one transaction.
    void finish(const std::function<void(Transaction&)>& change);

  private:
    void release(Transaction& txn);

    ObjectStore& store_;
    std::string vm_;
    VmOperations op_;
    std::string id_;
    VMRecord record_;
    bool held_ = false;
};

class OperationSlot {
  public:
    OperationSlot(ObjectStore& store, std::string vm, VmOperations op, std::string id);
    // Adopts the call's claim when it is for this VM and operation; claims otherwise.
    OperationSlot(CallContext& ctx, std::string vm, VmOperations op);
    OperationSlot(const OperationSlot&) = delete;
    OperationSlot& operator=(const OperationSlot&) = delete;

    const VMRecord& vm() const { return claim_->vm(); }
    const std::string& ref() const { return claim_->ref(); }
    void finish(const std::function<void(Transaction&)>& change) { claim_->finish(change); }

  private:
    std::shared_ptr<OperationClaim> claim_;
};

// Makes the dispatcher claim the VM operation of each `Async.VM.<message>` whose handler
// takes the VM's slot first thing (start, pause, shutdown, clone, ...).
void install_async_claims(Dispatcher& dispatcher);

}  // namespace tern::xapi
