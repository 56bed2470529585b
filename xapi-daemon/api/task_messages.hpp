// Defines TaskHandlers: task.cancel, task.create and task.destroy.
//
// Cancel is best effort, as in xapi: a pending task goes to `cancelling` and its work is told
// to stop; work that can stop cleanly ends the task `cancelled` with error_info
// TASK_CANCELLED(task), work that cannot finishes as it would have.
#pragma once

#include "handlers_generated.hpp"

namespace tern::xapi {

class TaskHandlers : public TaskMessages {
  public:
    rpc::Value cancel(CallContext& ctx, const Ref& task) override;
    rpc::Value create(CallContext& ctx, const std::string& label,
                      const std::string& description) override;
    rpc::Value destroy(CallContext& ctx, const Ref& self) override;
};

}  // namespace tern::xapi
