// event.* explicit messages.
#include "events/event_messages.hpp"

#include <charconv>
#include <cstdio>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <string_view>

#include "api/api_error.hpp"
#include "api/call_context.hpp"
#include "api/dispatcher.hpp"
#include "api/marshal.hpp"
#include "events/event_hub.hpp"
#include "events/event_stages.hpp"
#include "rpc/xmlrpc_codec.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

EventHub& hub_of(CallContext& ctx) {
    if (ctx.state().events == nullptr)
        throw ApiError::not_implemented("event");
    return *ctx.state().events;
}

const char* operation_name(StoreChange::Kind kind) {
    switch (kind) {
        case StoreChange::Kind::add:
            return "add";
        case StoreChange::Kind::mod:
            return "mod";
        case StoreChange::Kind::del:
            return "del";
    }
    return "mod";
}

rpc::Struct record_fields(const Event& e, StoreChange::Kind kind) {
    rpc::Struct r;
    r.emplace("id", rpc::Value{std::to_string(e.id)});
    r.emplace("timestamp", rpc::Value{format_datetime(e.time)});
    r.emplace("class", rpc::Value{event_class_name(e.cls)});
    r.emplace("operation", rpc::Value{operation_name(kind)});
    r.emplace("ref", rpc::Value{e.ref});
    r.emplace("obj_uuid", rpc::Value{e.uuid});
    return r;
}

rpc::Encoded encoded(const rpc::Value& v) {
    return rpc::Encoded{std::make_shared<const std::string>(rpc::encode_value(v))};
}

// Encodes the event's record (for its own operation) and its snapshot once; every answer that
// carries the event shares the bytes.
void encode_once(const Event& e) {
    std::call_once(e.encoded, [&e] {
        rpc::Struct r = record_fields(e, e.kind);
        if (e.snapshot && e.kind != StoreChange::Kind::del) {
            const ClassDesc& desc = schema_classes()[static_cast<std::size_t>(e.cls)];
            e.snapshot_xml = encoded(rpc::Value{encode_record(*e.snapshot, desc)});
            r.emplace("snapshot", rpc::Value{e.snapshot_xml});
        }
        e.record_xml = encoded(rpc::Value{std::move(r)});
    });
}

// The event's record in its wire form, as `kind` (coalescing may change the operation).
rpc::Value event_record(const Event& e, StoreChange::Kind kind) {
    encode_once(e);
    if (kind == e.kind)
        return rpc::Value{e.record_xml};
    rpc::Struct r = record_fields(e, kind);
    if (e.snapshot_xml.xml && kind != StoreChange::Kind::del)
        r.emplace("snapshot", rpc::Value{e.snapshot_xml});
    return rpc::Value{std::move(r)};
}

std::string token_of(std::int64_t id) {
    char out[32];
    std::snprintf(out, sizeof out, "%020lld", static_cast<long long>(id));
    return out;
}

std::optional<std::int64_t> parse_token(const std::string& token) {
    std::int64_t id = 0;
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), id);
    if (ec != std::errc{} || end != token.data() + token.size() || id < 0)
        return std::nullopt;
    return id;
}

// Several changes of one object become one event: add+mod is an add, add+del nothing,
// anything+del a del, mods a mod; each with the newest snapshot, in the order of their last
// change.
rpc::Array coalesce(const std::vector<EventPtr>& events) {
    if (events.size() == 1)
        return rpc::Array{event_record(*events[0], events[0]->kind)};
    struct Merged {
        const Event* last;
        StoreChange::Kind kind;
        bool born;  // added within these events
    };
    std::map<std::pair<int, std::string_view>, Merged> merged;
    for (const EventPtr& p : events) {
        const Event& e = *p;
        auto [it, fresh] = merged.try_emplace({e.cls, e.ref}, Merged{&e, e.kind, false});
        if (fresh) {
            it->second.born = e.kind == StoreChange::Kind::add;
            continue;
        }
        it->second.last = &e;
        if (e.kind == StoreChange::Kind::del) {
            it->second.kind = StoreChange::Kind::del;
        } else if (!it->second.born) {
            it->second.kind = StoreChange::Kind::mod;
        }
    }
    std::vector<const Merged*> ordered;
    for (const auto& [key, m] : merged) {
        if (!(m.born && m.kind == StoreChange::Kind::del))
            ordered.push_back(&m);
    }
    std::sort(ordered.begin(), ordered.end(),
              [](const Merged* a, const Merged* b) { return a->last->id < b->last->id; });
    rpc::Array out;
    out.reserve(ordered.size());
    for (const Merged* m : ordered)
        out.push_back(event_record(*m->last, m->kind));
    return out;
}

rpc::Value from_answer(const EventHub& hub, ObjectStore& store, rpc::Array events,
                       const Subscription& sub, std::int64_t token) {
    rpc::Struct counts;
    for (int cls : sub.classes()) {
        // The hub's count does not take the store's lock (a reader there makes the next commit
        // wait); the store is asked only when the hub has no count.
        const std::optional<std::int64_t> kept = hub.objects(cls);
        const std::int64_t n = kept ? *kept : static_cast<std::int64_t>(store.count(cls));
        counts.emplace(event_class_name(cls), rpc::Value{n});
    }
    return rpc::Value{rpc::Struct{{"events", rpc::Value{std::move(events)}},
                                  {"valid_ref_counts", rpc::Value{std::move(counts)}},
                                  {"token", rpc::Value{token_of(token)}}}};
}

// Every current object the subscription names, as `add` events.
rpc::Array dump(ObjectStore& store, const Subscription& sub,
                std::chrono::system_clock::time_point now) {
    rpc::Array out;
    for (int cls : sub.classes()) {
        const ClassDesc& desc = store.class_desc(cls);
        store.read_all(cls, [&](const std::string& ref, const rpc::Struct& record) {
            if (!sub.matches(cls, ref))
                return;
            std::string uuid;
            if (auto it = record.find("uuid"); it != record.end() && it->second.is<std::string>())
                uuid = it->second.as<std::string>();
            const Event e{0, cls, ref, StoreChange::Kind::add, nullptr, std::move(uuid), now};
            rpc::Struct r = record_fields(e, StoreChange::Kind::add);
            r.emplace("snapshot", rpc::Value{encode_record(record, desc)});
            out.emplace_back(std::move(r));
        });
    }
    return out;
}

// For the benchmark's stage figures: how long ago the newest of `events` was published.
void note_build_start(const std::vector<EventPtr>& events) {
    EventStages* stages = EventStages::instance();
    if (stages == nullptr || events.empty() || events.back()->published_ns == 0)
        return;
    stages->record(EventStages::Stage::publish_to_build,
                   EventStages::now_ns() - events.back()->published_ns);
}

}  // namespace

void seed_event_counts(const ObjectStore& store, EventHub& hub) {
    std::vector<std::int64_t> counts(schema_classes().size());
    for (std::size_t cls = 0; cls < counts.size(); ++cls)
        counts[cls] = static_cast<std::int64_t>(store.count(static_cast<int>(cls)));
    hub.seed_object_counts(std::move(counts));
}

void encode_events_when_published(EventHub& hub) {
    hub.set_prepare([](const Event& e) { encode_once(e); });
}

rpc::Value EventHandlers::register_(CallContext& ctx, const rpc::Value& classes) {
    hub_of(ctx).register_classes(ctx.session(), Subscription::parse(classes.as<rpc::Array>()));
    return {};
}

rpc::Value EventHandlers::unregister(CallContext& ctx, const rpc::Value& classes) {
    hub_of(ctx).unregister_classes(ctx.session(), Subscription::parse(classes.as<rpc::Array>()));
    return {};
}

rpc::Value EventHandlers::park(CallContext& ctx, std::int64_t after, const Subscription& sub,
                               std::optional<std::chrono::steady_clock::time_point> deadline,
                               std::function<rpc::Value()> answer) {
    EventHub& hub = hub_of(ctx);
    if (ctx.can_defer()) {
        auto done = ctx.defer();
        auto job = [done, answer] {
            try {
                EventStages* stages = EventStages::instance();
                const std::int64_t start = stages != nullptr ? EventStages::now_ns() : 0;
                done(success(answer()));
                if (stages != nullptr) {
                    stages->record(EventStages::Stage::build_write, EventStages::now_ns() - start);
                }
            } catch (const ApiError& e) {
                done(failure(e.code(), e.params()));
            } catch (const std::exception& e) {
                std::cerr << "xapid: event: internal error: " << e.what() << "\n";
                done(failure("INTERNAL_ERROR", {e.what()}));
            }
        };
        // The answer is built where it is written, on the connection's I/O thread, when the
        // transport offers it (with the other answers of that thread the same change wakes,
        // when it names the thread); on a worker otherwise.
        const rpc::Peer& peer = ctx.peer();
        if (peer.run_on_connection && peer.loop != nullptr) {
            hub.wait_on(after, sub, deadline, EventHub::Loop{peer.loop, peer.run_on_connection},
                        std::move(job));
        } else {
            Spawn run = peer.run_on_connection ? Spawn(peer.run_on_connection) : spawn_;
            hub.wait(after, sub, deadline,
                     [run = std::move(run), job = std::move(job)] { run(job); });
        }
        return {};
    }
    std::promise<void> woken;
    auto future = woken.get_future();
    hub.wait(after, sub, deadline, [&woken] { woken.set_value(); });
    future.wait();
    return answer();
}

rpc::Value EventHandlers::next(CallContext& ctx) {
    ctx.set_result_is_encoded();
    EventHub& hub = hub_of(ctx);
    const std::string session = ctx.session();
    auto answer = [&hub, session]() -> rpc::Value {
        auto reg = hub.registration(session);
        if (!reg)
            throw ApiError("SESSION_NOT_REGISTERED", {session});
        std::int64_t last = 0;
        auto events = hub.since(reg->cursor, reg->sub, last);
        if (!events) {
            hub.drop_registration(session);
            throw ApiError("EVENTS_LOST", {});
        }
        hub.set_cursor(session, last);
        note_build_start(*events);
        rpc::Array out;
        out.reserve(events->size());
        for (const EventPtr& e : *events)
            out.push_back(event_record(*e, e->kind));
        return rpc::Value{std::move(out)};
    };
    auto reg = hub.registration(session);
    if (!reg)
        throw ApiError("SESSION_NOT_REGISTERED", {session});
    rpc::Value now = answer();
    if (!now.as<rpc::Array>().empty())
        return now;
    return park(ctx, reg->cursor, reg->sub, std::nullopt, answer);
}

rpc::Value EventHandlers::from(CallContext& ctx, const rpc::Value& classes,
                               const std::string& token, double timeout) {
    ctx.set_result_is_encoded();
    EventHub& hub = hub_of(ctx);
    ObjectStore& store = ctx.store();
    const Subscription sub = Subscription::parse(classes.as<rpc::Array>());
    if (token.empty()) {
        // The token is taken before the dump: a change racing with it comes again later.
        const std::int64_t last = hub.last_id();
        return from_answer(hub, store, dump(store, sub, ctx.state().clock()), sub, last);
    }
    auto after = parse_token(token);
    if (!after)
        throw ApiError("EVENT_FROM_TOKEN_PARSE_FAILURE", {token});
    // Watchers of the same classes at the same token share one answer, built by the first.
    auto answer_with = [&hub, &store, &shared = answers_, sub, after = *after](
                           const std::vector<EventPtr>& events, std::int64_t last) -> rpc::Value {
        note_build_start(events);
        if (auto kept = shared.find(after, last, sub.key()))
            return rpc::Value{std::move(*kept)};
        rpc::Encoded built = encoded(from_answer(hub, store, coalesce(events), sub, last));
        shared.keep(after, last, sub.key(), built);
        return rpc::Value{std::move(built)};
    };
    auto answer = [&hub, sub, after = *after, answer_with]() -> rpc::Value {
        std::int64_t last = 0;
        auto events = hub.since(after, sub, last);
        if (!events)
            throw ApiError("EVENTS_LOST", {});
        return answer_with(*events, last);
    };
    {
        // What there is now; nothing is built when the call is to wait.
        std::int64_t last = 0;
        auto events = hub.since(*after, sub, last);
        if (!events)
            throw ApiError("EVENTS_LOST", {});
        if (!events->empty() || !(timeout > 0))
            return answer_with(*events, last);
    }
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                              std::chrono::duration<double>(std::min(timeout, 86400.0)));
    return park(ctx, *after, sub, deadline, answer);
}

}  // namespace tern::xapi
