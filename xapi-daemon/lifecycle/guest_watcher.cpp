// Reactions to guests that stop by themselves.
#include "lifecycle/guest_watcher.hpp"

#include <filesystem>
#include <iostream>
#include <thread>

#include "api/api_error.hpp"
#include "api/call_context.hpp"
#include "api/ref.hpp"
#include "lifecycle/domain_ops.hpp"
#include "lifecycle/operation_slot.hpp"
#include "lifecycle/vm_state_writer.hpp"
#include "records_generated.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

// How long a reaction waits for an operation in progress on the VM to end.
constexpr int kSlotAttempts = 500;
constexpr auto kSlotRetry = std::chrono::milliseconds(20);

enum class Action { destroy, restart, preserve, rename_restart };

struct Plan {
    Action action;
    bool core_dump;
};

Plan plan_for(const VMRecord& vm, GuestExit how) {
    auto normal = [](OnNormalExit a) {
        return Plan{a == OnNormalExit::restart ? Action::restart : Action::destroy, false};
    };
    switch (how) {
        case GuestExit::poweroff:
            return normal(vm.actions_after_shutdown);
        case GuestExit::reboot:
            return normal(vm.actions_after_reboot);
        case GuestExit::vanished:
            return {Action::destroy, false};
        case GuestExit::crash:
            break;
    }
    switch (vm.actions_after_crash) {
        case OnCrashBehaviour::destroy:
            return {Action::destroy, false};
        case OnCrashBehaviour::coredump_and_destroy:
            return {Action::destroy, true};
        case OnCrashBehaviour::restart:
            return {Action::restart, false};
        case OnCrashBehaviour::coredump_and_restart:
            return {Action::restart, true};
        case OnCrashBehaviour::preserve:
            return {Action::preserve, false};
        case OnCrashBehaviour::rename_restart:
            return {Action::rename_restart, false};
    }
    return {Action::destroy, false};
}

// The VM whose domain this is, or "".
std::string vm_of(ObjectStore& store, DomainId domain) {
    const int cls = store.class_index("VM");
    for (const std::string& ref : store.find_by_field(cls, store.field_index(cls, "domid"),
                                                      rpc::Value{std::int64_t{domain.value}})) {
        auto state = store.get_field(cls, ref, store.field_index(cls, "power_state"));
        if (state && (*state == rpc::Value{"Running"} || *state == rpc::Value{"Paused"}))
            return ref;
    }
    return "";
}

std::unique_ptr<OperationSlot> take_slot(ObjectStore& store, const std::string& vm,
                                         VmOperations op) {
    for (int attempt = 0;; ++attempt) {
        try {
            return std::make_unique<OperationSlot>(store, vm, op, make_ref());
        } catch (const ApiError& e) {
            if (e.code() != "OTHER_OPERATION_IN_PROGRESS" || attempt == kSlotAttempts)
                throw;
        }
        std::this_thread::sleep_for(kSlotRetry);
    }
}

}  // namespace

void GuestWatcher::guest_exited(DomainId domain, GuestExit how) {
    spawn_([this, domain, how] { react(domain, how); });
}

void GuestWatcher::react(DomainId domain, GuestExit how) {
    ObjectStore& store = state_.store;
    Backend& backend = *state_.backend;
    const std::string vm = vm_of(store, domain);
    if (vm.empty()) {
        std::cerr << "xapid: domain " << domain.value << " of no VM stopped; left as it is\n";
        return;
    }
    try {
        auto record = store.get(store.class_index("VM"), vm);
        if (!record)
            return;
        const Plan plan = plan_for(VMRecord::from_struct(*record), how);
        auto slot = take_slot(store, vm,
                              plan.action == Action::destroy ? VmOperations::hard_shutdown
                                                             : VmOperations::hard_reboot);
        const VMRecord& v = slot->vm();
        if (plan.core_dump) {
            const auto file = core_dump_of(state_, v.uuid);
            std::filesystem::create_directories(file.parent_path());
            if (auto dumped = backend.core_dump(domain, file); !dumped)
                std::cerr << "xapid: core dump of " << v.uuid << ": " << dumped.error().code
                          << "\n";
        }
        if (plan.action == Action::preserve) {
            auto info = backend.domain_info(domain);
            if (info) {
                info->state = DomainState::paused;
                slot->finish([&](Transaction& txn) {
                    record_domain(txn, vm, *info, state_.host_ref, now_of(state_), false);
                });
                return;
            }
        } else if (plan.action == Action::rename_restart) {
            (void)backend.rename(domain, v.name_label + "-crashed-" + std::to_string(domain.value));
        } else if (how != GuestExit::vanished) {
            (void)backend.destroy(domain);
        }
        if (plan.action == Action::restart || plan.action == Action::rename_restart) {
            auto booted = boot_domain(state_, vm, false, {});
            if (booted) {
                slot->finish([&](Transaction& txn) {
                    record_domain(txn, vm, booted.value(), state_.host_ref, now_of(state_), true);
                });
                refresh_host_metrics(state_);
                return;
            }
            std::cerr << "xapid: restart of " << v.uuid << " failed: " << booted.error().code
                      << "\n";
        }
        slot->finish([&](Transaction& txn) { record_no_domain(txn, vm, false, now_of(state_)); });
        refresh_host_metrics(state_);
    } catch (const std::exception& e) {
        std::cerr << "xapid: reaction to the exit of domain " << domain.value << " of " << vm
                  << " failed: " << e.what() << "\n";
    }
}

}  // namespace tern::xapi
