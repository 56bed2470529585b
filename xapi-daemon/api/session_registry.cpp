// Sessions: opening, checking, expiring.
#include "api/session_registry.hpp"

#include <vector>

#include "api/api_error.hpp"
#include "api/marshal.hpp"
#include "api/ref.hpp"
#include "events/event_hub.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {

std::optional<Role> role_from_name(std::string_view name) {
    if (name == "read-only")
        return Role::read_only;
    if (name == "vm-operator")
        return Role::vm_operator;
    if (name == "pool-admin")
        return Role::pool_admin;
    return std::nullopt;
}

namespace {

// A new `user` object for a login name seen for the first time.
std::string new_user(Transaction& txn, ObjectStore& store, const std::string& name) {
    const int cls = store.class_index("user");
    rpc::Struct fields;
    for (const FieldDesc& f : store.class_desc(cls).fields)
        fields.emplace(f.name, default_value(f));
    fields["uuid"] = make_uuid();
    fields["short_name"] = name;
    fields["fullname"] = name;
    const std::string ref = make_ref();
    txn.create(cls, ref, std::move(fields));
    return ref;
}

}  // namespace

std::string SessionRegistry::open(ApiState& state, const std::string& user, Role role,
                                  bool local_superuser, const std::string& originator) {
    expire(state);
    ObjectStore& store = state.store;
    const auto now = state.clock();
    const std::string ref = make_ref();
    const int user_cls = store.class_index("user");
    const int short_name = store.field_index(user_cls, "short_name");
    auto existing = store.find_by_field(user_cls, short_name, rpc::Value{user});
    store.transact([&](Transaction& txn) {
        const std::string uref = existing.empty() ? new_user(txn, store, user) : existing.front();
        const int cls = store.class_index("session");
        rpc::Struct fields;
        for (const FieldDesc& f : store.class_desc(cls).fields)
            fields.emplace(f.name, default_value(f));
        fields["uuid"] = make_uuid();
        fields["this_host"] = state.host_ref;
        fields["this_user"] = uref;
        fields["last_active"] = format_datetime(now);
        fields["validation_time"] = format_datetime(now);
        fields["is_local_superuser"] = local_superuser;
        fields["auth_user_name"] = user;
        fields["originator"] = originator;
        fields["parent"] = std::string(kNullRef);
        txn.create(cls, ref, std::move(fields));
    });
    std::lock_guard lock(mutex_);
    sessions_[ref] = SessionInfo{user, role, now};
    return ref;
}

SessionInfo SessionRegistry::touch(ApiState& state, const std::string& ref) {
    const auto now = state.clock();
    bool stale = false;
    SessionInfo info;
    {
        std::lock_guard lock(mutex_);
        auto it = sessions_.find(ref);
        if (it == sessions_.end())
            throw ApiError("SESSION_INVALID", {ref});
        if (now - it->second.last_active > idle_timeout_) {
            stale = true;
        } else {
            it->second.last_active = now;
            info = it->second;
        }
    }
    if (stale) {
        close(state, ref);
        throw ApiError("SESSION_INVALID", {ref});
    }
    return info;
}

void SessionRegistry::close(ApiState& state, const std::string& ref) {
    {
        std::lock_guard lock(mutex_);
        sessions_.erase(ref);
    }
    if (state.events != nullptr)
        state.events->drop_registration(ref);  // its event.register subscription goes too
    const int cls = state.store.class_index("session");
    state.store.transact([&](Transaction& txn) { txn.destroy(cls, ref); });
}

void SessionRegistry::expire(ApiState& state) {
    const auto now = state.clock();
    std::vector<std::string> old;
    {
        std::lock_guard lock(mutex_);
        for (const auto& [ref, info] : sessions_) {
            if (now - info.last_active > idle_timeout_)
                old.push_back(ref);
        }
    }
    for (const std::string& ref : old)
        close(state, ref);
}

}  // namespace tern::xapi
