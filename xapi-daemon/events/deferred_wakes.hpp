// Defines DeferredWakes: wake-ups that a thread collects while it holds a lock the woken work
// should not wait behind, performed once the lock is let go. The store publishes a change's
// events under its exclusive lock (so that they are in commit order); the hub's wake-ups of
// the parked event calls the change matches (posts to their connections' I/O threads) then run
// after the store's lock is released, so that the next change does not wait for them.
#pragma once

#include <functional>
#include <utility>
#include <vector>

namespace tern::xapi {

class DeferredWakes {
  public:
    // While one lives on a thread, run_or_defer() on that thread keeps its wake-ups here;
    // run() (or the end of its life) performs them, in order.
    class Collect {
      public:
        Collect() : outer_(current()) { current() = this; }
        ~Collect() { run(); }
        Collect(const Collect&) = delete;
        Collect& operator=(const Collect&) = delete;

        // Stops collecting and performs what was collected.
        void run() {
            if (current() == this)
                current() = outer_;
            std::vector<std::function<void()>> wakes;
            wakes.swap(wakes_);
            for (auto& wake : wakes)
                wake();
        }

      private:
        friend class DeferredWakes;
        Collect* outer_;
        std::vector<std::function<void()>> wakes_;
    };

    // Performs `wake` now, or keeps it for the thread's innermost Collect.
    static void run_or_defer(std::function<void()> wake) {
        if (Collect* c = current(); c != nullptr) {
            c->wakes_.push_back(std::move(wake));
            return;
        }
        wake();
    }

  private:
    static Collect*& current() {
        thread_local Collect* collecting = nullptr;
        return collecting;
    }
};

}  // namespace tern::xapi
