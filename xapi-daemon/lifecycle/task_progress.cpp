// Task progress and cancellation for backend operations.
#include "lifecycle/task_progress.hpp"

#include <memory>

#include "api/api_error.hpp"
#include "api/call_context.hpp"
#include "api/task_registry.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

// Progress is written when it moved by at least this much (each write is an event).
constexpr double kProgressStep = 0.05;

}  // namespace

OperationControl control_for(CallContext& ctx, double from, double to) {
    std::shared_ptr<RunningTask> task = ctx.task();
    if (!task)
        return {};
    ObjectStore* store = &ctx.store();
    auto last = std::make_shared<double>(from);
    OperationControl control;
    control.report = [store, task, last, from, to](double fraction) {
        const double now = from + (to - from) * fraction;
        if (now < *last + kProgressStep && fraction < 1.0)
            return;
        *last = now;
        const int cls = store->class_index("task");
        store->transact([&](Transaction& txn) {
            const rpc::Struct* record = txn.get(cls, task->ref);
            if (record == nullptr)
                return;
            txn.set_field(cls, task->ref, store->field_index(cls, "progress"),
                          rpc::Value{std::min(now, 0.99)});
        });
    };
    control.cancelled = [task] { return task->cancel_requested.load(); };
    return control;
}

void raise(CallContext& ctx, const BackendError& error) {
    if (error.code == "TASK_CANCELLED")
        throw ApiError("TASK_CANCELLED", {ctx.task() ? ctx.task()->ref : ""});
    throw ApiError(error.code, error.params);
}

}  // namespace tern::xapi
