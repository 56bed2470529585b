// The ring of events and the waiting sessions.
#include "events/event_hub.hpp"

#include <algorithm>

#include "events/deferred_wakes.hpp"
#include "events/event_stages.hpp"

namespace tern::xapi {

EventHub::EventHub(std::size_t capacity, Clock clock)
    : capacity_(std::max<std::size_t>(capacity, 1)), clock_(std::move(clock)) {
    timer_ = std::thread([this] { run_timer(); });
}

void EventHub::stop() {
    Waiters woken;
    bool first = false;
    {
        std::lock_guard lock(mutex_);
        first = !stopping_;
        stopping_ = true;
        woken.splice(woken.end(), waiters_);
    }
    timer_cv_.notify_all();
    if (timer_.joinable())
        timer_.join();
    for (Waiter& w : woken)
        fire(w);
    if (EventStages* stages = EventStages::instance(); stages != nullptr && first)
        stages->write_report();
}

EventHub::~EventHub() {
    stop();
}

void EventHub::publish(std::vector<StoreChange>&& changes) {
    const auto now = clock_();
    const std::int64_t published = EventStages::instance() ? EventStages::now_ns() : 0;
    Waiters woken;
    std::vector<EventPtr> fresh_events;
    {
        std::lock_guard lock(mutex_);
        // Only events someone waits for are worth encoding now (the rest may never be read).
        const bool encode = prepare_ && (!waiters_.empty() || !registrations_.empty());
        for (StoreChange& c : changes) {
            if (static_cast<std::size_t>(c.cls) < object_counts_.size()) {
                if (c.kind == StoreChange::Kind::add)
                    ++object_counts_[static_cast<std::size_t>(c.cls)];
                else if (c.kind == StoreChange::Kind::del)
                    --object_counts_[static_cast<std::size_t>(c.cls)];
            }
            ring_.push_back(std::make_shared<const Event>(next_id_++, c.cls, std::move(c.ref),
                                                          c.kind, std::move(c.snapshot),
                                                          std::move(c.uuid), now, published));
            if (encode)
                fresh_events.push_back(ring_.back());
            if (ring_.size() > capacity_)
                ring_.pop_front();
        }
        const std::size_t fresh = std::min(changes.size(), ring_.size());
        for (auto it = waiters_.begin(); it != waiters_.end();) {
            auto next = std::next(it);
            if (ready_after_locked(*it, fresh))
                woken.splice(woken.end(), waiters_, it);
            it = next;
        }
    }
    // Called under the store's lock: the encoding and the wake-ups wait until the store lets
    // it go, the encoding first, so that every woken answer finds the events' bytes ready.
    if (!fresh_events.empty()) {
        DeferredWakes::run_or_defer([prepare = prepare_, events = std::move(fresh_events)] {
            for (const EventPtr& e : events)
                prepare(*e);
        });
    }
    // One hand-over per loop, in the order the loops were first woken; plain wakes as they
    // come.
    std::vector<std::pair<Loop, std::vector<std::function<void()>>>> batches;
    for (Waiter& w : woken) {
        if (w.loop.key == nullptr) {
            DeferredWakes::run_or_defer(std::move(w.wake));
            continue;
        }
        auto batch = std::find_if(batches.begin(), batches.end(),
                                  [&](const auto& b) { return b.first.key == w.loop.key; });
        if (batch == batches.end()) {
            batches.emplace_back(std::move(w.loop), std::vector<std::function<void()>>{});
            batch = std::prev(batches.end());
        }
        batch->second.push_back(std::move(w.wake));
    }
    for (auto& [loop, jobs] : batches) {
        DeferredWakes::run_or_defer([post = std::move(loop.post), jobs = std::move(jobs)] {
            post([jobs] {
                for (const auto& job : jobs)
                    job();
            });
        });
    }
}

void EventHub::fire(Waiter& w) {
    if (w.loop.key != nullptr)
        w.loop.post(std::move(w.wake));
    else
        w.wake();
}

bool EventHub::ready_locked(const Waiter& w) const {
    if (ring_.empty() || ring_.back()->id <= w.after)
        return false;
    if (ring_.front()->id > w.after + 1)
        return true;  // lost events: the reader must hear of it
    // Newest first: a waiter usually waits for what just came.
    for (auto it = ring_.rbegin(); it != ring_.rend() && (*it)->id > w.after; ++it) {
        if (w.sub.matches((*it)->cls, (*it)->ref))
            return true;
    }
    return false;
}

bool EventHub::ready_after_locked(const Waiter& w, std::size_t fresh) const {
    if (ring_.empty() || ring_.back()->id <= w.after)
        return false;
    if (ring_.front()->id > w.after + 1)
        return true;
    for (std::size_t i = ring_.size() - fresh; i < ring_.size(); ++i) {
        const Event& e = *ring_[i];
        if (e.id > w.after && w.sub.matches(e.cls, e.ref))
            return true;
    }
    return false;
}

std::int64_t EventHub::last_id() const {
    std::lock_guard lock(mutex_);
    return next_id_ - 1;
}

std::optional<std::vector<EventPtr>> EventHub::since(std::int64_t after, const Subscription& sub,
                                                     std::int64_t& last) const {
    std::lock_guard lock(mutex_);
    last = next_id_ - 1;
    // A position beyond the newest event comes from before a restart (ids start again at 1):
    // what happened since is unknown, as when events are lost.
    if (after > last)
        return std::nullopt;
    if (!ring_.empty() && ring_.front()->id > after + 1)
        return std::nullopt;
    if (ring_.empty() && after < next_id_ - 1)
        return std::nullopt;
    std::vector<EventPtr> out;
    // Ids are consecutive: find the first one after `after` by arithmetic.
    const std::int64_t first = ring_.empty() ? next_id_ : ring_.front()->id;
    const std::size_t start =
        static_cast<std::size_t>(std::max<std::int64_t>(after + 1 - first, 0));
    for (std::size_t i = start; i < ring_.size(); ++i) {
        if (sub.matches(ring_[i]->cls, ring_[i]->ref))
            out.push_back(ring_[i]);
    }
    return out;
}

void EventHub::wait(std::int64_t after, Subscription sub, std::optional<Deadline> deadline,
                    std::function<void()> wake) {
    park(Waiter{after, std::move(sub), deadline, std::move(wake), Loop{}});
}

void EventHub::wait_on(std::int64_t after, Subscription sub, std::optional<Deadline> deadline,
                       Loop loop, std::function<void()> job) {
    park(Waiter{after, std::move(sub), deadline, std::move(job), std::move(loop)});
}

void EventHub::park(Waiter w) {
    const std::optional<Deadline> deadline = w.deadline;
    bool now = false;
    bool sooner = false;
    {
        std::lock_guard lock(mutex_);
        if (stopping_ || ready_locked(w) ||
            (deadline && *deadline <= std::chrono::steady_clock::now())) {
            now = true;
        } else {
            waiters_.push_back(std::move(w));
            // The timer sleeps until timer_due_ at the latest; a later deadline is found when
            // it wakes, so only an earlier one needs to wake it now.
            if (deadline && *deadline < timer_due_) {
                timer_due_ = *deadline;
                ++timer_wakeups_;
                sooner = true;
            }
        }
    }
    if (now) {
        fire(w);
        return;
    }
    if (sooner)
        timer_cv_.notify_all();
}

void EventHub::seed_object_counts(std::vector<std::int64_t> counts) {
    std::lock_guard lock(mutex_);
    object_counts_ = std::move(counts);
}

std::optional<std::int64_t> EventHub::objects(int cls) const {
    std::lock_guard lock(mutex_);
    if (cls < 0 || static_cast<std::size_t>(cls) >= object_counts_.size())
        return std::nullopt;
    return object_counts_[static_cast<std::size_t>(cls)];
}

std::uint64_t EventHub::timer_wakeups() const {
    std::lock_guard lock(mutex_);
    return timer_wakeups_;
}

void EventHub::run_timer() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        const auto now = std::chrono::steady_clock::now();
        std::optional<Deadline> earliest;
        Waiters woken;
        for (auto it = waiters_.begin(); it != waiters_.end();) {
            auto next = std::next(it);
            if (it->deadline && *it->deadline <= now) {
                woken.splice(woken.end(), waiters_, it);
            } else if (it->deadline && (!earliest || *it->deadline < *earliest)) {
                earliest = it->deadline;
            }
            it = next;
        }
        if (!woken.empty()) {
            lock.unlock();
            for (Waiter& w : woken)
                fire(w);
            lock.lock();
            continue;
        }
        timer_due_ = earliest.value_or(Deadline::max());
        if (earliest) {
            timer_cv_.wait_until(lock, *earliest);
        } else {
            timer_cv_.wait(lock);
        }
    }
}

void EventHub::register_classes(const std::string& session, const Subscription& sub) {
    std::lock_guard lock(mutex_);
    auto [it, fresh] = registrations_.try_emplace(session);
    if (fresh)
        it->second.cursor = next_id_ - 1;
    it->second.sub.add(sub);
}

void EventHub::unregister_classes(const std::string& session, const Subscription& sub) {
    std::lock_guard lock(mutex_);
    auto it = registrations_.find(session);
    if (it == registrations_.end())
        return;
    it->second.sub.remove(sub);
    if (it->second.sub.empty())
        registrations_.erase(it);
}

std::optional<EventHub::Registration> EventHub::registration(const std::string& session) const {
    std::lock_guard lock(mutex_);
    auto it = registrations_.find(session);
    if (it == registrations_.end())
        return std::nullopt;
    return it->second;
}

void EventHub::set_cursor(const std::string& session, std::int64_t cursor) {
    std::lock_guard lock(mutex_);
    auto it = registrations_.find(session);
    if (it != registrations_.end())
        it->second.cursor = std::max(it->second.cursor, cursor);
}

void EventHub::drop_registration(const std::string& session) {
    std::lock_guard lock(mutex_);
    registrations_.erase(session);
}

}  // namespace tern::xapi
