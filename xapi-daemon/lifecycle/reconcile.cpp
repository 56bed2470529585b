// Start-up reconciliation and periodic metrics.
#include "lifecycle/reconcile.hpp"

#include <filesystem>
#include <iostream>
#include <map>

#include "api/call_context.hpp"
#include "lifecycle/domain_ops.hpp"
#include "lifecycle/vm_state_writer.hpp"
#include "records_generated.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {

void reconcile_with_backend(ApiState& state) {
    ObjectStore& store = state.store;
    std::map<std::string, DomainInfo> by_uuid;
    for (DomainInfo& d : state.backend->list_domains()) {
        if (d.uuid.empty()) {
            std::cerr << "xapid: domain " << d.id.value << " (" << d.name
                      << ") belongs to no VM; left alone\n";
            continue;
        }
        by_uuid.emplace(d.uuid, std::move(d));
    }
    const int vm_cls = store.class_index("VM");
    const int task_cls = store.class_index("task");
    const rpc::DateTime now = now_of(state);
    store.transact([&](Transaction& txn) {
        for (const std::string& ref : txn.refs(vm_cls)) {
            const VMRecord vm = VMRecord::from_struct(*txn.get(vm_cls, ref));
            if (vm.is_control_domain)
                continue;
            txn.set_field(vm_cls, ref, txn.store().field_index(vm_cls, "current_operations"),
                          rpc::Value{rpc::Struct{}});
            auto domain = by_uuid.find(vm.uuid);
            if (domain != by_uuid.end()) {
                const bool adopted = vm.power_state != VmPowerState::Running &&
                                     vm.power_state != VmPowerState::Paused;
                if (adopted)
                    std::cerr << "xapid: VM " << vm.uuid << " has domain "
                              << domain->second.id.value << ": adopted\n";
                record_domain(txn, ref, domain->second, state.host_ref, now, adopted);
                by_uuid.erase(domain);
                continue;
            }
            const bool image = std::filesystem::exists(suspend_image_of(state, vm.uuid));
            if (vm.power_state == VmPowerState::Suspended && image) {
                record_no_domain(txn, ref, true, now);
                continue;
            }
            if (vm.power_state != VmPowerState::Halted) {
                std::cerr << "xapid: VM " << vm.uuid << " was " << to_string(vm.power_state)
                          << " but has no domain now: Halted\n";
            }
            record_no_domain(txn, ref, false, now);
        }
        for (const std::string& ref : txn.refs(task_cls)) {
            const rpc::Struct* task = txn.get(task_cls, ref);
            auto status = task->find("status");
            if (status == task->end() || status->second != rpc::Value{"pending"})
                continue;
            auto field = [&](const char* f) { return txn.store().field_index(task_cls, f); };
            txn.set_field(task_cls, ref, field("status"), rpc::Value{"failure"});
            txn.set_field(task_cls, ref, field("error_info"),
                          rpc::Value{rpc::Array{rpc::Value{"INTERNAL_ERROR"},
                                                rpc::Value{"xapid restarted during the task"}}});
            txn.set_field(task_cls, ref, field("finished"), rpc::Value{now});
            txn.set_field(task_cls, ref, field("allowed_operations"), rpc::Value{rpc::Array{}});
        }
    });
    for (const auto& [uuid, d] : by_uuid) {
        std::cerr << "xapid: domain " << d.id.value << " (" << d.name << ", uuid " << uuid
                  << ") belongs to no VM of this database; left alone\n";
    }
    refresh_host_metrics(state);
}

void refresh_metrics(ApiState& state) {
    ObjectStore& store = state.store;
    const int vm_cls = store.class_index("VM");
    const int domid = store.field_index(vm_cls, "domid");
    std::vector<std::pair<std::string, DomainInfo>> running;
    for (DomainInfo& d : state.backend->list_domains()) {
        for (const std::string& ref :
             store.find_by_field(vm_cls, domid, rpc::Value{std::int64_t{d.id.value}})) {
            running.emplace_back(ref, d);
        }
    }
    if (!running.empty()) {
        const rpc::DateTime now = now_of(state);
        store.transact([&](Transaction& txn) {
            for (const auto& [ref, d] : running)
                record_domain_figures(txn, ref, d, now);
        });
    }
    refresh_host_metrics(state);
}

}  // namespace tern::xapi
