// Defines EventHub: every change of every object, as the object store commits it, kept in one
// bounded ring with increasing ids (xapi keeps one global ring too), and the sessions waiting
// for changes.
//
// The store calls publish() after each commit, under its lock: publishing appends, wakes the
// waiters whose subscription matches one of the new events (only the new ones: a parked waiter
// matched none of the older), and never reads the store. A waiter is a callback, not a
// thread: event.next and event.from park their answer here and it is built once woken (on the
// connection's I/O thread, or a worker), so waiting sessions cost no thread. A timer thread wakes
// waiters whose timeout passed; a new waiter disturbs it only when its deadline comes before every
// other one.
//
// When a reader's position has dropped out of the ring (more than `capacity` events since),
// its events are lost and it is told so (EVENTS_LOST).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "events/subscription.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {

struct Event {
    Event(std::int64_t id, int cls, std::string ref, StoreChange::Kind kind,
          std::shared_ptr<const rpc::Struct> snapshot, std::string uuid,
          std::chrono::system_clock::time_point time, std::int64_t published_ns = 0)
        : id(id),
          cls(cls),
          ref(std::move(ref)),
          kind(kind),
          snapshot(std::move(snapshot)),
          uuid(std::move(uuid)),
          time(time),
          published_ns(published_ns) {}

    const std::int64_t id;
    const int cls;
    const std::string ref;
    const StoreChange::Kind kind;
    const std::shared_ptr<const rpc::Struct> snapshot;  // null for del
    const std::string uuid;
    const std::chrono::system_clock::time_point time;
    const std::int64_t published_ns;  // steady clock; only when EventStages records

    // The event's record and its snapshot in their wire form, encoded once when the event is
    // published (EventHub::set_prepare), or else by the first answer that carries it
    // (event_messages.cpp), and shared by every answer.
    mutable std::once_flag encoded;
    mutable rpc::Encoded record_xml;
    mutable rpc::Encoded snapshot_xml;
};

// Events are shared between the ring and the answers being built, never copied.
using EventPtr = std::shared_ptr<const Event>;

class EventHub {
  public:
    using Clock = std::function<std::chrono::system_clock::time_point()>;
    using Deadline = std::chrono::steady_clock::time_point;

    EventHub(std::size_t capacity, Clock clock);
    // Wakes every waiter and stops the timer; later waits are woken at once.
    void stop();
    ~EventHub();
    EventHub(const EventHub&) = delete;
    EventHub& operator=(const EventHub&) = delete;

    // The store's observer.
    void publish(std::vector<StoreChange>&& changes);

    // What puts a new event in its wire form (event_messages.cpp). Each event published while
    // a session waits for events is given to it once, on the publishing thread after the
    // store's lock is let go and before any waiter is woken, so that the answers that carry
    // the event only copy its bytes. Set before the first publish; otherwise (and for events
    // nobody waited for) the first answer to carry an event encodes it.
    using Prepare = std::function<void(const Event&)>;
    void set_prepare(Prepare prepare) { prepare_ = std::move(prepare); }

    // The id of the newest event (0 before the first).
    std::int64_t last_id() const;
    // The events after `after` that match, and in `last` the newest id looked at; nullopt when
    // events after `after` have dropped out of the ring, or `after` is newer than every event
    // (a position from before a restart).
    std::optional<std::vector<EventPtr>> since(std::int64_t after, const Subscription& sub,
                                               std::int64_t& last) const;

    // Calls `wake` once, from the publishing or the timer thread, when an event after `after`
    // matching `sub` exists, or at `deadline` (nullopt: no deadline), or when the hub stops.
    // `wake` must be quick and must not call the store or the hub (post the real work).
    void wait(std::int64_t after, Subscription sub, std::optional<Deadline> deadline,
              std::function<void()> wake);

    // Where a waiter's answer is built: a connection's event loop, reached by `post`, and
    // named by `key` (rpc::Peer::loop).
    struct Loop {
        const void* key = nullptr;
        std::function<void(std::function<void()>)> post;
    };
    // As wait(), but `job` runs on `loop`, handed over by its `post`: the jobs of every waiter
    // of one loop that a change wakes go in one post, run one after the other in one pass
    // (one wake-up of that loop's thread, one queued job, however many watchers it serves).
    void wait_on(std::int64_t after, Subscription sub, std::optional<Deadline> deadline, Loop loop,
                 std::function<void()> job);

    // The number of objects of each class (event.from's valid_ref_counts), kept from the
    // changes published, so that an answer need not wait for the store's lock while a change
    // commits. Seeded with the store's counts before the first publish; unseeded, objects()
    // answers nullopt.
    void seed_object_counts(std::vector<std::int64_t> counts);
    std::optional<std::int64_t> objects(int cls) const;

    // How often a wait has woken the timer thread: only a deadline earlier than every other
    // one does, so that parking costs no timer wake-up and no scan of the waiters.
    std::uint64_t timer_wakeups() const;

    // The event.register subscriptions of sessions, with their read position.
    struct Registration {
        Subscription sub;
        std::int64_t cursor = 0;
    };
    void register_classes(const std::string& session, const Subscription& sub);
    void unregister_classes(const std::string& session, const Subscription& sub);
    std::optional<Registration> registration(const std::string& session) const;
    void set_cursor(const std::string& session, std::int64_t cursor);
    void drop_registration(const std::string& session);

  private:
    struct Waiter {
        std::int64_t after;
        Subscription sub;
        std::optional<Deadline> deadline;
        std::function<void()> wake;  // with a loop: the job to run there
        Loop loop;
    };
    using Waiters = std::list<Waiter>;

    // Runs a woken waiter's wake, or posts its job to its loop.
    static void fire(Waiter& w);
    void park(Waiter w);

    void run_timer();
    // True when `w` has something to read now; needs mutex_.
    bool ready_locked(const Waiter& w) const;
    // True when `w`, not ready before the last `fresh` events came, is now; needs mutex_.
    bool ready_after_locked(const Waiter& w, std::size_t fresh) const;

    const std::size_t capacity_;
    Clock clock_;
    Prepare prepare_;
    mutable std::mutex mutex_;
    std::deque<EventPtr> ring_;
    std::int64_t next_id_ = 1;
    Waiters waiters_;
    std::map<std::string, Registration> registrations_;
    std::vector<std::int64_t> object_counts_;  // by class; empty: not seeded
    std::condition_variable timer_cv_;
    bool stopping_ = false;
    // The time the timer thread sleeps until (max: no deadline); needs mutex_.
    Deadline timer_due_ = Deadline::max();
    std::uint64_t timer_wakeups_ = 0;
    std::thread timer_;
};

}  // namespace tern::xapi
