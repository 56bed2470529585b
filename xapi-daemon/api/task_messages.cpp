// task.* explicit messages.
#include "api/task_messages.hpp"

#include "api/api_error.hpp"
#include "api/call_context.hpp"
#include "api/marshal.hpp"
#include "api/ref.hpp"
#include "api/task_registry.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {

rpc::Value TaskHandlers::cancel(CallContext& ctx, const Ref& task) {
    ObjectStore& store = ctx.store();
    const int cls = store.class_index("task");
    auto field = [&](const char* f) { return store.field_index(cls, f); };
    bool cancelling = false;
    store.transact([&](Transaction& txn) {
        const rpc::Struct* record = txn.get(cls, task.id);
        if (record == nullptr)
            throw ApiError::handle_invalid("task", task.id);
        if (record->at("status") != rpc::Value{"pending"})
            return;
        if (ctx.state().tasks == nullptr || !ctx.state().tasks->request_cancel(task.id))
            return;
        txn.set_field(cls, task.id, field("status"), rpc::Value{"cancelling"});
        txn.set_field(cls, task.id, field("allowed_operations"), rpc::Value{rpc::Array{}});
        cancelling = true;
    });
    if (!cancelling)
        throw ApiError("OPERATION_NOT_ALLOWED", {"the task is not pending or cannot be cancelled"});
    return {};
}

rpc::Value TaskHandlers::create(CallContext& ctx, const std::string& label,
                                const std::string& description) {
    ObjectStore& store = ctx.store();
    const int cls = store.class_index("task");
    const std::string ref = make_ref();
    store.transact([&](Transaction& txn) {
        rpc::Struct fields;
        for (const FieldDesc& f : store.class_desc(cls).fields)
            fields.emplace(f.name, default_value(f));
        fields["uuid"] = make_uuid();
        fields["name_label"] = label;
        fields["name_description"] = description;
        fields["status"] = std::string("pending");
        fields["created"] = format_datetime(ctx.state().clock());
        fields["resident_on"] = ctx.state().host_ref;
        fields["progress"] = 0.0;
        txn.create(cls, ref, std::move(fields));
    });
    return rpc::Value{ref};
}

rpc::Value TaskHandlers::destroy(CallContext& ctx, const Ref& self) {
    ObjectStore& store = ctx.store();
    const int cls = store.class_index("task");
    store.transact([&](Transaction& txn) { txn.destroy(cls, self.id); });
    return {};
}

}  // namespace tern::xapi
