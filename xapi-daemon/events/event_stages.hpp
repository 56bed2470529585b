// Defines EventStages: where the time goes between a change and its delivery, for the
// benchmark. When the environment variable TERN_XAPID_EVENT_STAGES names a file, xapid records
// how long each stage of every change and every event answer took, and writes their
// percentiles there when it stops; otherwise nothing is recorded (one test of a pointer per
// stage).
//
// The stages, in the order a change goes through them:
//   lock_wait      a transaction waits for the store's exclusive lock
//   locked         it holds the lock: the work, queueing the rows, publishing, waking waiters
//   to_disk        from the lock let go to the change on disk (the writer's group commit)
//   publish_to_build from an event's publication to the start of building an answer that
//                  carries it (for a parked watcher: the hop to its connection's I/O thread and
//                  what queues there; for one that was not waiting: until it came back)
//   build_write    building and encoding a parked answer and handing it to the socket
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace tern::xapi {

class EventStages {
  public:
    enum class Stage { lock_wait, locked, to_disk, publish_to_build, build_write };
    static constexpr std::size_t kStages = 5;

    // The recorder, or null when the environment does not ask for one.
    static EventStages* instance();
    static std::int64_t now_ns() {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }

    void record(Stage stage, std::int64_t ns);
    // Writes the percentiles of every stage to the file named, and starts again.
    void write_report();

  private:
    explicit EventStages(std::string path) : path_(std::move(path)) {}

    const std::string path_;
    std::mutex mutex_;
    std::array<std::vector<std::int64_t>, kStages> samples_;
};

}  // namespace tern::xapi
