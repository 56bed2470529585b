// The registry of live connections.
#include "transport/connection_registry.hpp"

#include <vector>

namespace tern::xapi {

ConnectionRegistry::Id ConnectionRegistry::add(std::function<void()> close, std::size_t limit) {
    std::lock_guard lock(mutex_);
    if (live_.size() >= limit)
        return 0;
    const Id id = next_++;
    live_.emplace(id, std::move(close));
    return id;
}

void ConnectionRegistry::remove(Id id) {
    std::lock_guard lock(mutex_);
    live_.erase(id);
    if (live_.empty())
        empty_.notify_all();
}

std::size_t ConnectionRegistry::size() const {
    std::lock_guard lock(mutex_);
    return live_.size();
}

void ConnectionRegistry::wait_empty() {
    std::unique_lock lock(mutex_);
    empty_.wait(lock, [this] { return live_.empty(); });
}

void ConnectionRegistry::close_all_and_wait(std::chrono::milliseconds timeout) {
    std::vector<std::function<void()>> closers;
    {
        std::lock_guard lock(mutex_);
        for (auto& [id, close] : live_)
            closers.push_back(close);
    }
    for (auto& close : closers)
        close();
    std::unique_lock lock(mutex_);
    empty_.wait_for(lock, timeout, [this] { return live_.empty(); });
}

}  // namespace tern::xapi
