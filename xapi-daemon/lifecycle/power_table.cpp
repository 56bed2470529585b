// The VM state machine table.
#include "lifecycle/power_table.hpp"

#include <algorithm>

#include "api/api_error.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

using S = VmPowerState;
using O = VmOperations;

const std::vector<OperationRule> kRules = {
    {O::start, {S::Halted}, false},
    {O::pause, {S::Running}, false},
    {O::unpause, {S::Paused}, false},
    {O::clean_shutdown, {S::Running}, false},
    {O::clean_reboot, {S::Running}, false},
    {O::hard_shutdown, {S::Paused, S::Running, S::Suspended}, false},
    {O::hard_reboot, {S::Paused, S::Running}, false},
    {O::suspend, {S::Running}, false},
    {O::resume, {S::Suspended}, false},
    {O::clone, {S::Halted}, true},
    {O::copy, {S::Halted}, true},
    {O::provision, {S::Halted}, true},
    {O::destroy, {S::Halted, S::Suspended}, true},
    {O::pool_migrate, {S::Running}, false},
    {O::migrate_send, {S::Halted, S::Suspended, S::Running}, false},
    {O::changing_VCPUs_live, {S::Running}, false},
    {O::changing_memory_live, {S::Running}, false},
    {O::send_sysrq, {S::Running}, false},
    {O::send_trigger, {S::Running}, false},
};

const OperationRule& rule_of(VmOperations op) {
    return *std::find_if(kRules.begin(), kRules.end(),
                         [&](const OperationRule& r) { return r.op == op; });
}

bool allows(const OperationRule& rule, const VMRecord& vm) {
    if (vm.is_a_template && !rule.on_templates)
        return false;
    return std::find(rule.states.begin(), rule.states.end(), vm.power_state) != rule.states.end();
}

}  // namespace

std::span<const OperationRule> operation_rules() {
    return kRules;
}

std::vector<VmOperations> allowed_operations(const VMRecord& vm) {
    std::vector<VmOperations> out;
    if (!vm.current_operations.empty() || vm.is_control_domain)
        return out;
    for (const OperationRule& rule : kRules) {
        if (allows(rule, vm))
            out.push_back(rule.op);
    }
    return out;
}

void check_operation(const std::string& ref, const VMRecord& vm, VmOperations op) {
    if (vm.is_control_domain) {
        throw ApiError("OPERATION_NOT_ALLOWED", {"VM." + std::string(to_string(op)) +
                                                 " is not allowed on the control "
                                                 "domain"});
    }
    if (!vm.current_operations.empty()) {
        const auto& [task, running] = *vm.current_operations.begin();
        throw ApiError("OTHER_OPERATION_IN_PROGRESS",
                       {"VM", ref, std::string(to_string(running)), task});
    }
    const OperationRule& rule = rule_of(op);
    if (vm.is_a_template && !rule.on_templates)
        throw ApiError("VM_IS_TEMPLATE", {ref, std::string(to_string(op))});
    if (!allows(rule, vm)) {
        std::string expected;
        for (VmPowerState s : rule.states)
            expected += (expected.empty() ? "" : ", ") + std::string(to_string(s));
        throw ApiError("VM_BAD_POWER_STATE",
                       {ref, expected, std::string(to_string(vm.power_state))});
    }
}

void refresh_allowed_operations(Transaction& txn, const std::string& vm) {
    ObjectStore& store = txn.store();
    const int cls = store.class_index("VM");
    const rpc::Struct* record = txn.get(cls, vm);
    if (record == nullptr)
        return;
    rpc::Array ops;
    for (VmOperations op : allowed_operations(VMRecord::from_struct(*record)))
        ops.push_back(to_canonical(op));
    txn.set_field(cls, vm, store.field_index(cls, "allowed_operations"),
                  rpc::Value{std::move(ops)});
}

}  // namespace tern::xapi
