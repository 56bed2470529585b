// debug.sim_*: the sim backend's controls over the API, for tests and demos.
#include "api/api_error.hpp"
#include "api/call_context.hpp"
#include "api/host_messages.hpp"
#include "backend/sim/sim_backend.hpp"
#include "records_generated.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

SimBackend& sim_of(CallContext& ctx) {
    if (ctx.state().sim == nullptr)
        throw ApiError("OPERATION_NOT_ALLOWED", {"only the sim backend takes debug.sim_ calls"});
    return *ctx.state().sim;
}

SimOp op_of(const std::string& operation) {
    auto op = parse_sim_op(operation);
    if (!op)
        throw ApiError("INVALID_VALUE", {"operation", operation});
    return *op;
}

}  // namespace

rpc::Value DebugHandlers::sim_guest_exit(CallContext& ctx, const Ref& vm, const std::string& how) {
    SimBackend& sim = sim_of(ctx);
    GuestExit exit;
    if (how == "poweroff") {
        exit = GuestExit::poweroff;
    } else if (how == "reboot") {
        exit = GuestExit::reboot;
    } else if (how == "crash") {
        exit = GuestExit::crash;
    } else if (how == "vanished") {
        exit = GuestExit::vanished;
    } else {
        throw ApiError("INVALID_VALUE", {"how", how});
    }
    auto record = ctx.store().get(ctx.store().class_index("VM"), vm.id);
    if (!record)
        throw ApiError::handle_invalid("VM", vm.id);
    const VMRecord v = VMRecord::from_struct(*record);
    if (v.is_control_domain || v.domid < 0 ||
        !sim.guest_exit(DomainId{static_cast<std::int32_t>(v.domid)}, exit)) {
        throw ApiError("VM_BAD_POWER_STATE",
                       {vm.id, "Paused, Running", std::string(to_string(v.power_state))});
    }
    return {};
}

rpc::Value DebugHandlers::sim_inject_failure(CallContext& ctx, const std::string& operation,
                                             const std::string& code, std::int64_t times) {
    SimBackend& sim = sim_of(ctx);
    if (code.empty())
        throw ApiError("INVALID_VALUE", {"code", code});
    sim.inject_failure(op_of(operation),
                       BackendError{code, {"injected by debug.sim_inject_failure"}},
                       static_cast<int>(times));
    return {};
}

rpc::Value DebugHandlers::sim_set_latency(CallContext& ctx, const std::string& operation,
                                          std::int64_t milliseconds) {
    SimBackend& sim = sim_of(ctx);
    if (milliseconds < 0)
        throw ApiError("INVALID_VALUE", {"milliseconds", std::to_string(milliseconds)});
    sim.set_latency(op_of(operation), std::chrono::milliseconds(milliseconds));
    return {};
}

}  // namespace tern::xapi
