// Periodic upkeep: metrics and old tasks.
#include "api/housekeeping.hpp"

#include <iostream>

#include "api/call_context.hpp"
#include "api/marshal.hpp"
#include "lifecycle/reconcile.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {

void reap_finished_tasks(ApiState& state, std::chrono::seconds retention) {
    ObjectStore& store = state.store;
    const int cls = store.class_index("task");
    // Datetimes in the canonical form compare as strings.
    const std::string cutoff = format_datetime(state.clock() - retention).iso8601;
    std::vector<std::string> old;
    store.read_all(cls, [&](const std::string& ref, const rpc::Struct& task) {
        auto status = task.find("status");
        auto finished = task.find("finished");
        if (status == task.end() || status->second == rpc::Value{"pending"} ||
            status->second == rpc::Value{"cancelling"} || finished == task.end() ||
            !finished->second.is<rpc::DateTime>()) {
            return;
        }
        const std::string& when = finished->second.as<rpc::DateTime>().iso8601;
        if (when < cutoff && !when.starts_with("1970"))
            old.push_back(ref);
    });
    if (old.empty())
        return;
    store.transact([&](Transaction& txn) {
        for (const std::string& ref : old)
            txn.destroy(cls, ref);
    });
}

Housekeeping::Housekeeping(ApiState& state, HousekeepingOptions options)
    : state_(state), options_(options) {
    thread_ = std::thread([this] { run(); });
}

Housekeeping::~Housekeeping() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
}

void Housekeeping::run() {
    std::unique_lock lock(mutex_);
    while (!cv_.wait_for(lock, options_.interval, [this] { return stopping_; })) {
        lock.unlock();
        try {
            refresh_metrics(state_);
            reap_finished_tasks(state_, options_.task_retention);
        } catch (const std::exception& e) {
            std::cerr << "xapid: housekeeping: " << e.what() << "\n";
        }
        lock.lock();
    }
}

}  // namespace tern::xapi
