// Defines EventHandlers: event.register, event.unregister, event.next (1.0) and event.from
// (xapi), over the EventHub.
//
// Event records carry id (a decimal string), timestamp, class (lower-case, as xapi sends it),
// operation (add, mod, del), ref, obj_uuid and, except for del, the object's `snapshot` in its
// wire form. event.from answers {events, valid_ref_counts, token}; its tokens are the id of the
// newest event seen, as 20 digits, so that later tokens compare greater as strings; "" asks for
// every current object as an `add`. Several changes of one object between two calls coalesce
// into one event with the newest snapshot. Watchers asking the same question (the same classes
// from the same token, answered up to the same event) share one encoded answer
// (shared_answers.hpp).
//
// A call with nothing to answer yet parks its completion in the hub and returns; a worker
// answers when a matching event comes (or the timeout passes). Without a completion to park
// (the unit tests' synchronous dispatcher) the calling thread waits instead.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "events/shared_answers.hpp"
#include "handlers_generated.hpp"

namespace tern::xapi {

class EventHub;
class ObjectStore;
class Subscription;

// Gives the hub the store's object counts, before the store's changes start to reach it.
void seed_event_counts(const ObjectStore& store, EventHub& hub);
// Makes the hub put each event in its wire form as it is published (EventHub::set_prepare).
void encode_events_when_published(EventHub& hub);

class EventHandlers : public EventMessages {
  public:
    using Spawn = std::function<void(std::function<void()>)>;
    explicit EventHandlers(Spawn spawn) : spawn_(std::move(spawn)) {}

    rpc::Value register_(CallContext& ctx, const rpc::Value& classes) override;
    rpc::Value unregister(CallContext& ctx, const rpc::Value& classes) override;
    rpc::Value next(CallContext& ctx) override;
    rpc::Value from(CallContext& ctx, const rpc::Value& classes, const std::string& token,
                    double timeout) override;

  private:
    // Parks `answer` until something after `after` matches (or the deadline), then runs it
    // on the connection's I/O thread (or a worker) and completes the call with its result (or
    // the error it throws).
    rpc::Value park(CallContext& ctx, std::int64_t after, const Subscription& sub,
                    std::optional<std::chrono::steady_clock::time_point> deadline,
                    std::function<rpc::Value()> answer);

    Spawn spawn_;
    SharedAnswers answers_;  // event.from's, shared by watchers asking the same
};

}  // namespace tern::xapi
