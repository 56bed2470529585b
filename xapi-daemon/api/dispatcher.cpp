// The dispatcher: method table, parameter checks, implicit messages, async tasks.
#include "api/dispatcher.hpp"

#include <algorithm>
#include <iostream>

#include "api/api_error.hpp"
#include "api/marshal.hpp"
#include "api/ref.hpp"
#include "api/session_registry.hpp"
#include "api/task_registry.hpp"
#include "rpc/xmlrpc_codec.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {

rpc::Value success(rpc::Value value) {
    return rpc::Value{rpc::Struct{{"Status", rpc::Value{"Success"}}, {"Value", std::move(value)}}};
}

rpc::Value failure(const std::string& code, const std::vector<std::string>& params) {
    rpc::Array description{rpc::Value{code}};
    for (const std::string& p : params)
        description.emplace_back(p);
    return rpc::Value{rpc::Struct{{"Status", rpc::Value{"Failure"}},
                                  {"ErrorDescription", rpc::Value{std::move(description)}}}};
}

namespace {

const std::string& text(const rpc::Value& v) {
    static const std::string empty;
    return v.is<std::string>() ? v.as<std::string>() : empty;
}

std::string uuid_of(const rpc::Struct* obj, const std::string& ref) {
    if (obj == nullptr)
        return ref;
    auto it = obj->find("uuid");
    return it != obj->end() ? text(it->second) : ref;
}

}  // namespace

Dispatcher::Dispatcher(ApiState& state, Spawn spawn) : state_(state), spawn_(std::move(spawn)) {
    auto classes = schema_classes();
    for (std::size_t c = 0; c < classes.size(); ++c) {
        for (const MessageDesc& m : classes[c].messages) {
            Target t{static_cast<int>(c), &m};
            methods_.emplace(std::string(classes[c].name) + "." + m.name, t);
            // xapi also answers Class_message.
            methods_.emplace(std::string(classes[c].name) + "_" + m.name, t);
        }
    }
}

std::vector<std::string> Dispatcher::method_names() const {
    std::vector<std::string> out;
    for (const auto& [name, target] : methods_) {
        if (name.find('.') != std::string::npos)
            out.push_back(name);
    }
    std::sort(out.begin(), out.end());
    return out;
}

rpc::Array Dispatcher::decode_args(const Target& target, const rpc::Array& params,
                                   std::size_t first) {
    const MessageDesc& msg = *target.msg;
    rpc::Array args;
    args.reserve(msg.params.size());
    for (std::size_t i = 0; i < msg.params.size(); ++i) {
        const ParamDesc& p = msg.params[i];
        if (first + i >= params.size()) {
            args.push_back(p.make_default());
            continue;
        }
        if (p.type->kind == Kind::record) {
            const ClassDesc* cls = find_class(p.type->class_name);
            args.emplace_back(normalize_record(params[first + i], *cls, p.name));
            continue;
        }
        rpc::Value v = normalize(params[first + i], *p.type, p.name);
        if (p.type->kind == Kind::ref) {
            const std::string& ref = v.as<std::string>();
            const bool is_subject = i == 0 && !msg.is_static;
            const bool null = ref.empty() || ref == kNullRef;
            if (!null || is_subject) {
                const int want = state_.store.class_index(p.type->class_name);
                auto have = state_.store.class_of(ref);
                if (!have || *have != want)
                    throw ApiError::handle_invalid(p.type->class_name, ref);
            }
        }
        args.push_back(std::move(v));
    }
    return args;
}

rpc::Value Dispatcher::call(const std::string& method, const rpc::Array& params,
                            const rpc::Peer& peer) {
    auto answered = call(method, params, peer, nullptr);
    return answered ? std::move(*answered) : failure("INTERNAL_ERROR", {"no answer"});
}

std::optional<rpc::Value> Dispatcher::call(const std::string& method, const rpc::Array& params,
                                           const rpc::Peer& peer,
                                           std::function<void(rpc::Value)> later) {
    // A call's changes are in memory, and their events out, when it returns; its answer waits
    // for the group commit that puts them on disk (object_store.hpp), with no thread held when
    // it can answer later. (A handler that defers its own answer, as the event calls do,
    // changes nothing on disk.)
    DeferredDurability durability;
    std::optional<rpc::Value> answer = answer_call(method, params, peer, later);
    const std::uint64_t change = durability.newest();
    if (change == 0 || !answer)
        return answer;
    if (!later) {
        try {
            state_.store.wait_durable(change);
        } catch (const StoreError& e) {
            return failure("INTERNAL_ERROR", {e.what()});
        }
        return answer;
    }
    state_.store.when_durable(change, [later = std::move(later), answer = std::move(*answer)](
                                          const std::string* error) mutable {
        later(error != nullptr ? failure("INTERNAL_ERROR", {*error}) : std::move(answer));
    });
    return std::nullopt;
}

std::optional<rpc::Value> Dispatcher::answer_call(const std::string& method,
                                                  const rpc::Array& params, const rpc::Peer& peer,
                                                  std::function<void(rpc::Value)> later) {
    try {
        const bool is_async = method.starts_with("Async.");
        const std::string name = is_async ? method.substr(6) : method;
        auto found = methods_.find(name);
        if (found == methods_.end())
            throw ApiError("MESSAGE_METHOD_UNKNOWN", {method});
        const Target& target = found->second;
        const MessageDesc& msg = *target.msg;
        if (is_async && !msg.has_async)
            throw ApiError("MESSAGE_METHOD_UNKNOWN", {method});

        // xapi's counting: the session is not counted, trailing defaults are optional.
        const std::size_t first = msg.needs_session ? 1 : 0;
        const std::size_t received = params.size() >= first ? params.size() - first : 0;
        const std::size_t required = static_cast<std::size_t>(
            std::count_if(msg.params.begin(), msg.params.end(),
                          [](const ParamDesc& p) { return p.make_default == nullptr; }));
        if (params.size() < first || received < required || received > msg.params.size()) {
            throw ApiError("MESSAGE_PARAMETER_COUNT_MISMATCH",
                           {method, std::to_string(required), std::to_string(received)});
        }

        CallContext ctx(state_, peer);
        ctx.set_method(std::string(schema_classes()[target.cls].name) + "." + msg.name);
        if (msg.needs_session) {
            const std::string session = text(params[0]);
            SessionInfo info = state_.sessions.touch(state_, session);
            ctx.set_session(session);
            if (msg.min_role[0] != '\0') {
                auto need = role_from_name(msg.min_role);
                if (need && static_cast<int>(info.role) < static_cast<int>(*need)) {
                    throw ApiError("RBAC_PERMISSION_DENIED",
                                   {ctx.method(), "your role does not allow " + ctx.method()});
                }
            }
        }
        rpc::Array args = decode_args(target, params, first);
        if (is_async)
            return success(rpc::Value{start_task(ctx, target, std::move(args), method, peer)});
        if (later)
            ctx.set_completion(std::move(later));
        rpc::Value result = run(ctx, target, args);
        if (ctx.deferred())
            return std::nullopt;
        return success(std::move(result));
    } catch (const ApiError& e) {
        return failure(e.code(), e.params());
    } catch (const std::exception& e) {
        std::cerr << "xapid: " << method << ": internal error: " << e.what() << "\n";
        return failure("INTERNAL_ERROR", {e.what()});
    }
}

rpc::Value Dispatcher::run(CallContext& ctx, const Target& target, const rpc::Array& args) {
    // Records are encoded where they are read, under the store's lock, without a copy.
    if (target.msg->implicit == Implicit::get_record ||
        target.msg->implicit == Implicit::get_all_records) {
        return run_implicit(ctx, target, args);
    }
    rpc::Value canonical = target.msg->implicit != Implicit::none ? run_implicit(ctx, target, args)
                                                                  : target.msg->thunk(ctx, args);
    if (ctx.result_is_encoded() || ctx.deferred())
        return canonical;
    return encode(canonical, *target.msg->result);
}

bool Dispatcher::is_quick(const std::string& method) const {
    auto found = methods_.find(method);
    if (found == methods_.end())
        return true;  // answered at once with an error
    // The event calls read memory and park when they must wait (event_messages.hpp): they
    // answer at once on the caller's thread, one hand-over fewer for every delivery.
    if (method == "event.from" || method == "event.next")
        return true;
    switch (found->second.msg->implicit) {
        case Implicit::get_field:
        case Implicit::get_record:
        case Implicit::get_by_uuid:
        case Implicit::get_by_name_label:
        case Implicit::get_all:
        case Implicit::get_all_records:
            return true;
        // A setter changes memory under the store's lock for microseconds and leaves its answer
        // to wait for the disk without holding the thread (call()): on the I/O thread its
        // events go out without a hand-over to a worker and a wait for that worker's turn.
        case Implicit::set_field:
        case Implicit::add_to_map:
        case Implicit::remove_from_map:
        case Implicit::add_to_set:
        case Implicit::remove_from_set:
            return true;
        default:
            return false;
    }
}

rpc::Value Dispatcher::run_implicit(CallContext& ctx, const Target& target,
                                    const rpc::Array& args) {
    ObjectStore& store = state_.store;
    const int cls = target.cls;
    const ClassDesc& desc = store.class_desc(cls);
    const MessageDesc& msg = *target.msg;
    const FieldDesc* field = msg.field >= 0 ? &desc.fields[msg.field] : nullptr;
    const std::string self = args.empty() ? std::string() : text(args[0]);

    switch (msg.implicit) {
        case Implicit::get_field: {
            auto v = store.get_field(cls, self, msg.field);
            if (!v)
                throw ApiError::handle_invalid(desc.name, self);
            return *v;
        }
        case Implicit::set_field: {
            auto hooks = hooks_.find(desc.name);
            store.transact([&](Transaction& txn) {
                txn.set_field(cls, self, msg.field, args[1]);
                if (hooks != hooks_.end() && hooks->second.after_set)
                    hooks->second.after_set(txn, self, field->name);
            });
            return {};
        }
        case Implicit::add_to_map:
        case Implicit::remove_from_map: {
            const std::string key = args[1].is<std::int64_t>()
                                        ? std::to_string(args[1].as<std::int64_t>())
                                        : text(args[1]);
            store.transact([&](Transaction& txn) {
                const rpc::Struct* obj = txn.get(cls, self);
                if (obj == nullptr)
                    throw ApiError::handle_invalid(desc.name, self);
                rpc::Struct map;
                if (auto it = obj->find(field->name);
                    it != obj->end() && it->second.is<rpc::Struct>()) {
                    map = it->second.as<rpc::Struct>();
                }
                if (msg.implicit == Implicit::add_to_map) {
                    if (map.contains(key)) {
                        throw ApiError("MAP_DUPLICATE_KEY",
                                       {desc.name, field->name, uuid_of(obj, self), key});
                    }
                    map.emplace(key, args[2]);
                } else {
                    map.erase(key);
                }
                txn.set_field(cls, self, msg.field, rpc::Value{std::move(map)});
                if (auto hooks = hooks_.find(desc.name);
                    hooks != hooks_.end() && hooks->second.after_set)
                    hooks->second.after_set(txn, self, field->name);
            });
            return {};
        }
        case Implicit::add_to_set:
        case Implicit::remove_from_set:
            store.transact([&](Transaction& txn) {
                const rpc::Struct* obj = txn.get(cls, self);
                if (obj == nullptr)
                    throw ApiError::handle_invalid(desc.name, self);
                rpc::Array set;
                if (auto it = obj->find(field->name);
                    it != obj->end() && it->second.is<rpc::Array>()) {
                    set = it->second.as<rpc::Array>();
                }
                auto pos = std::find(set.begin(), set.end(), args[1]);
                if (msg.implicit == Implicit::add_to_set && pos == set.end())
                    set.push_back(args[1]);
                if (msg.implicit == Implicit::remove_from_set && pos != set.end())
                    set.erase(pos);
                txn.set_field(cls, self, msg.field, rpc::Value{std::move(set)});
            });
            return {};
        case Implicit::get_record: {
            std::optional<rpc::Value> out;
            store.read(cls, self, [&](const rpc::Struct& record) {
                out.emplace(encode_record(record, desc));
            });
            if (!out)
                throw ApiError::handle_invalid(desc.name, self);
            return std::move(*out);
        }
        case Implicit::get_by_uuid: {
            auto ref = store.find_by_uuid(cls, self);
            if (!ref)
                throw ApiError("UUID_INVALID", {desc.name, self});
            return rpc::Value{*ref};
        }
        case Implicit::get_by_name_label: {
            rpc::Array out;
            for (std::string& r :
                 store.find_by_field(cls, store.field_index(cls, "name_label"), args[0])) {
                out.emplace_back(std::move(r));
            }
            return rpc::Value{std::move(out)};
        }
        case Implicit::get_all: {
            rpc::Array out;
            for (std::string& r : store.refs(cls))
                out.emplace_back(std::move(r));
            return rpc::Value{std::move(out)};
        }
        case Implicit::get_all_records: {
            rpc::Struct out;
            store.read_all(cls, [&](const std::string& ref, const rpc::Struct& record) {
                out.emplace(ref, rpc::Value{encode_record(record, desc)});
            });
            return rpc::Value{std::move(out)};
        }
        case Implicit::create: {
            rpc::Struct record = args[0].as<rpc::Struct>();
            record["uuid"] = make_uuid();
            // Bound references must name live objects (a NULL one binds nothing).
            for (const FieldDesc& f : desc.fields) {
                if (f.type->kind != Kind::ref || f.qualifier == Qualifier::ro_run)
                    continue;
                const std::string& r = text(record[f.name]);
                if (r.empty() || r == kNullRef)
                    continue;
                auto have = store.class_of(r);
                if (!have || *have != store.class_index(f.type->class_name)) {
                    throw ApiError::handle_invalid(f.type->class_name, r);
                }
            }
            auto hooks = hooks_.find(desc.name);
            if (hooks != hooks_.end() && hooks->second.before_create) {
                hooks->second.before_create(ctx, record);
            }
            const std::string ref = make_ref();
            store.transact([&](Transaction& txn) {
                txn.create(cls, ref, std::move(record));
                if (hooks != hooks_.end() && hooks->second.after_create) {
                    hooks->second.after_create(ctx, txn, ref);
                }
            });
            return rpc::Value{ref};
        }
        case Implicit::destroy: {
            auto hooks = hooks_.find(desc.name);
            if (hooks != hooks_.end() && hooks->second.before_destroy) {
                hooks->second.before_destroy(ctx, self);
            }
            store.transact([&](Transaction& txn) {
                if (hooks != hooks_.end() && hooks->second.during_destroy)
                    hooks->second.during_destroy(txn, self);
                txn.destroy(cls, self);
            });
            return {};
        }
        case Implicit::none:
            break;
    }
    throw ApiError::internal("unhandled implicit message");
}

std::string Dispatcher::start_task(CallContext& ctx, const Target& target, rpc::Array args,
                                   const std::string& method, const rpc::Peer& peer) {
    ObjectStore& store = state_.store;
    const int task_cls = store.class_index("task");
    const std::string task = make_ref();
    const auto now = format_datetime(state_.clock());
    // Running before anyone can see the task, so that a task.cancel always finds its work.
    std::shared_ptr<RunningTask> running;
    if (state_.tasks != nullptr)
        running = state_.tasks->begin(task);
    try {
        store.transact([&](Transaction& txn) {
            rpc::Struct fields;
            for (const FieldDesc& f : store.class_desc(task_cls).fields)
                fields.emplace(f.name, default_value(f));
            fields["uuid"] = make_uuid();
            fields["name_label"] = method;
            fields["status"] = std::string("pending");
            fields["created"] = now;
            fields["resident_on"] = state_.host_ref;
            fields["progress"] = 0.0;
            // Every pending task may be asked to stop; work that cannot stop finishes anyway.
            fields["allowed_operations"] = rpc::Array{rpc::Value{"cancel"}};
            txn.create(task_cls, task, std::move(fields));
        });
    } catch (...) {
        if (state_.tasks != nullptr)
            state_.tasks->end(task);
        throw;
    }
    const std::string session = ctx.session();
    const std::string name = ctx.method();
    // The work's claim is taken now, before the call answers; a call refused fails its task.
    std::shared_ptr<OperationClaim> claim;
    if (auto found = async_claims_.find(name); found != async_claims_.end()) {
        std::vector<std::string> error;
        try {
            claim = found->second(ctx, task, args);
        } catch (const ApiError& e) {
            error.push_back(e.code());
            error.insert(error.end(), e.params().begin(), e.params().end());
        } catch (const std::exception& e) {
            error = {"INTERNAL_ERROR", e.what()};
        }
        if (!error.empty()) {
            if (state_.tasks != nullptr)
                state_.tasks->end(task);
            finish_task(task, target, {}, std::move(error));
            return task;
        }
    }
    spawn_([this, target, args = std::move(args), task, session, name, peer, running,
            claim]() mutable {
        rpc::Value result;
        std::vector<std::string> error;
        {
            CallContext inner(state_, peer);
            inner.set_session(session);
            inner.set_method(name);
            inner.set_task(running);
            // The work adopts the claim; one it did not adopt is freed before the task ends.
            inner.set_claim(std::move(claim));
            try {
                result = run(inner, target, args);
            } catch (const ApiError& e) {
                error.push_back(e.code());
                error.insert(error.end(), e.params().begin(), e.params().end());
            } catch (const std::exception& e) {
                error = {"INTERNAL_ERROR", e.what()};
            }
        }
        if (state_.tasks != nullptr)
            state_.tasks->end(task);
        finish_task(task, target, result, std::move(error));
    });
    return task;
}

void Dispatcher::finish_task(const std::string& task, const Target& target,
                             const rpc::Value& result, std::vector<std::string> error) {
    ObjectStore& store = state_.store;
    const int task_cls = store.class_index("task");
    auto field = [&](const char* f) { return store.field_index(task_cls, f); };
    try {
        store.transact([&](Transaction& txn) {
            if (txn.get(task_cls, task) == nullptr)
                return;  // destroyed meanwhile
            txn.set_field(task_cls, task, field("progress"), rpc::Value{1.0});
            txn.set_field(task_cls, task, field("finished"),
                          rpc::Value{format_datetime(state_.clock())});
            txn.set_field(task_cls, task, field("allowed_operations"), rpc::Value{rpc::Array{}});
            if (error.empty()) {
                txn.set_field(task_cls, task, field("status"), rpc::Value{"success"});
                txn.set_field(task_cls, task, field("result"),
                              rpc::Value{rpc::encode_value(result)});
                if (target.msg->result->kind == Kind::ref) {
                    txn.set_field(task_cls, task, field("type"),
                                  rpc::Value{std::string(target.msg->result->class_name)});
                }
            } else {
                const bool cancelled = error[0] == "TASK_CANCELLED";
                if (cancelled)
                    error = {"TASK_CANCELLED", task};
                rpc::Array info;
                for (std::string& s : error)
                    info.emplace_back(std::move(s));
                txn.set_field(task_cls, task, field("status"),
                              rpc::Value{cancelled ? "cancelled" : "failure"});
                txn.set_field(task_cls, task, field("error_info"), rpc::Value{std::move(info)});
            }
        });
    } catch (const std::exception& e) {
        std::cerr << "xapid: cannot record the end of task " << task << ": " << e.what() << "\n";
    }
}

}  // namespace tern::xapi
