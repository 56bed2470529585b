// Defines ConnectionRegistry: the live connections, so that a shutdown can close every one of
// them and wait for them to end, and so that a connection limit can be enforced.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace tern::xapi {

class ConnectionRegistry {
  public:
    using Id = std::uint64_t;

    // Registers a connection and how to close it; returns 0 when the limit is reached.
    Id add(std::function<void()> close, std::size_t limit);
    void remove(Id id);
    std::size_t size() const;
    // Waits until no connection is left.
    void wait_empty();
    // Closes every connection and waits (up to `timeout`) until all have gone.
    void close_all_and_wait(std::chrono::milliseconds timeout);

  private:
    mutable std::mutex mutex_;
    std::condition_variable empty_;
    Id next_ = 1;
    std::unordered_map<Id, std::function<void()>> live_;
};

}  // namespace tern::xapi
