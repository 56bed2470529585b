// Defines the VM state machine as data: one table says in which power states each operation
// is allowed, and whether templates allow it. The same table fills `allowed_operations` and
// raises VM_BAD_POWER_STATE, VM_IS_TEMPLATE and OTHER_OPERATION_IN_PROGRESS (xapi's
// xapi_vm_lifecycle.ml keeps its table the same way).
//
// VM_BAD_POWER_STATE is (vm ref, expected, actual) in the power states' capitalised spelling;
// an operation allowed in several states names them all, joined by ", " (xapi's joining).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "records_generated.hpp"
#include "rpc/value.hpp"

namespace tern::xapi {

class Transaction;

struct OperationRule {
    VmOperations op;
    std::vector<VmPowerState> states;
    bool on_templates;  // templates allow it (clone, copy, provision, destroy)
};

std::span<const OperationRule> operation_rules();

// The operations the VM allows now: none while another operation runs, none on the
// control domain, the table's otherwise.
std::vector<VmOperations> allowed_operations(const VMRecord& vm);

// Throws the error that forbids `op` on `vm` now, if any.
void check_operation(const std::string& ref, const VMRecord& vm, VmOperations op);

// Recomputes the VM's allowed_operations inside a transaction.
void refresh_allowed_operations(Transaction& txn, const std::string& vm);

}  // namespace tern::xapi
