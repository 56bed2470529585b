// Defines add_vm_companions: the objects every VM has from its creation (or clone) on: its
// VM_metrics and a text console (vt100) whose location is an https URL on this host, as xapi
// gives them. They go with the VM when it is destroyed.
#pragma once

#include <string>

namespace tern::xapi {

class Transaction;

void add_vm_companions(Transaction& txn, const std::string& vm, const std::string& host);

}  // namespace tern::xapi
