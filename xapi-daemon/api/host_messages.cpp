// host.* and debug.* explicit messages.
#include "api/host_messages.hpp"

#include "api/api_error.hpp"
#include "api/call_context.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

void set_enabled(CallContext& ctx, const Ref& host, bool enabled) {
    ObjectStore& store = ctx.store();
    const int cls = store.class_index("host");
    store.transact([&](Transaction& txn) {
        txn.set_field(cls, host.id, store.field_index(cls, "enabled"), rpc::Value{enabled});
    });
}

}  // namespace

rpc::Value HostHandlers::list_methods(CallContext& ctx) {
    (void)ctx;
    rpc::Array out;
    for (std::string& m : methods_())
        out.emplace_back(std::move(m));
    return rpc::Value{std::move(out)};
}

rpc::Value HostHandlers::enable(CallContext& ctx, const Ref& host) {
    set_enabled(ctx, host, true);
    return {};
}

rpc::Value HostHandlers::disable(CallContext& ctx, const Ref& host) {
    set_enabled(ctx, host, false);
    return {};
}

rpc::Value DebugHandlers::return_failure(CallContext& ctx) {
    throw ApiError("DEBUG_FAIL", {ctx.session()});
}

}  // namespace tern::xapi
