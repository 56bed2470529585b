// Defines control_for: the OperationControl that a backend operation of a call gets, which
// writes its progress into the call's task record (scaled into the task's range [from, to])
// and reports the task's cancel flag. A synchronous call reports nothing and is never
// cancelled.
#pragma once

#include "backend/backend.hpp"

namespace tern::xapi {

class CallContext;

OperationControl control_for(CallContext& ctx, double from, double to);

// Throws the ApiError that a backend error becomes for this call (TASK_CANCELLED names the
// task).
[[noreturn]] void raise(CallContext& ctx, const BackendError& error);

}  // namespace tern::xapi
