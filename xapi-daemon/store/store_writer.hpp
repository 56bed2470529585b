// Defines StoreWriter: the thread that persists the object store's committed changes, in
// commit order, several changes to one SQLite transaction (group commit).
//
// The store applies a change to memory under its lock and submits the rows it touched here,
// still under the lock, so sequence numbers follow commit order. The writer takes everything
// queued since its last commit and writes it as one group: one `write` call that must either
// make the whole group durable or throw. A change is durable once the group holding it
// returned; who must not answer before that waits for its sequence number (wait) or leaves a
// callback (when_durable), and holds no lock meanwhile.
//
// A group that fails to commit is a disk that refused a write: the writer records the error,
// every change of that group and after it is answered with it, and the writer takes no more
// changes (the memory is then ahead of the disk; a restart reloads what is on disk, which
// holds every change that was answered with success).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "rpc/value.hpp"

namespace tern::xapi {

// One object's row as a change left it: the whole record, or null when it was destroyed.
struct StoreRow {
    int cls;
    std::string ref;
    std::shared_ptr<const rpc::Struct> fields;
};

class StoreWriter {
  public:
    // Writes one group of rows (the newest state of each object, in commit order of their last
    // change) as one durable transaction, or throws.
    using WriteGroup = std::function<void(const std::vector<const StoreRow*>& rows)>;
    // Told the outcome of a change: null when it is durable, else why it never will be.
    using Done = std::function<void(const std::string* error)>;

    explicit StoreWriter(WriteGroup write);
    // Writes what is queued, then stops.
    ~StoreWriter();
    StoreWriter(const StoreWriter&) = delete;
    StoreWriter& operator=(const StoreWriter&) = delete;

    // Queues one committed change's rows and returns its sequence number (1, 2, ...). Throws
    // StoreError once a group has failed.
    std::uint64_t submit(std::vector<StoreRow> rows);
    // Throws StoreError when a group has failed (before a change touches memory).
    void check() const;

    // Blocks until change `seq` is durable; throws StoreError if it never will be.
    void wait(std::uint64_t seq);
    // Calls `done` once change `seq` is durable or has failed: at once on this thread when that
    // is known already, else on the writer's thread (which must not be held up: post real work).
    void when_durable(std::uint64_t seq, Done done);
    // Blocks until every change submitted so far is durable (or failed).
    void flush();

    struct Stats {
        std::uint64_t changes = 0;  // changes made durable
        std::uint64_t groups = 0;   // SQLite transactions that made them so
        std::uint64_t rows = 0;     // rows written (an object changed twice in a group: once)
    };
    Stats stats() const;

  private:
    struct Pending {
        std::uint64_t seq;
        std::vector<StoreRow> rows;
        std::int64_t queued_ns;  // for EventStages; 0 when it does not record
    };
    void run();
    // Writes `group` and returns the error, if any.
    std::optional<std::string> write_group(const std::vector<Pending>& group);

    WriteGroup write_;
    mutable std::mutex mutex_;
    std::condition_variable queued_cv_;   // the writer waits for work
    std::condition_variable durable_cv_;  // callers wait for their change
    std::vector<Pending> queue_;
    std::uint64_t next_seq_ = 1;
    std::uint64_t durable_ = 0;                     // every change up to here is on disk
    std::optional<std::string> failed_;             // the error of the first failed group
    std::multimap<std::uint64_t, Done> callbacks_;  // by the change they wait for
    bool stopping_ = false;
    Stats stats_;
    std::thread thread_;
};

}  // namespace tern::xapi
