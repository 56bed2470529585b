// The writer thread: group commit of the store's changes, in order.
#include "store/store_writer.hpp"

#include <algorithm>
#include <set>
#include <utility>

#include "events/event_stages.hpp"
#include "store/sqlite_db.hpp"

namespace tern::xapi {

StoreWriter::StoreWriter(WriteGroup write) : write_(std::move(write)) {
    thread_ = std::thread([this] { run(); });
}

StoreWriter::~StoreWriter() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    queued_cv_.notify_all();
    if (thread_.joinable())
        thread_.join();
}

void StoreWriter::check() const {
    std::lock_guard lock(mutex_);
    if (failed_)
        throw StoreError("the database refused a write earlier: " + *failed_);
}

std::uint64_t StoreWriter::submit(std::vector<StoreRow> rows) {
    std::uint64_t seq = 0;
    {
        std::lock_guard lock(mutex_);
        if (failed_)
            throw StoreError("the database refused a write earlier: " + *failed_);
        seq = next_seq_++;
        queue_.push_back(
            Pending{seq, std::move(rows), EventStages::instance() ? EventStages::now_ns() : 0});
    }
    queued_cv_.notify_one();
    return seq;
}

void StoreWriter::wait(std::uint64_t seq) {
    std::unique_lock lock(mutex_);
    durable_cv_.wait(lock, [&] { return durable_ >= seq || failed_; });
    if (durable_ < seq)
        throw StoreError("the database refused a write: " + *failed_);
}

void StoreWriter::when_durable(std::uint64_t seq, Done done) {
    std::optional<std::string> error;
    {
        std::lock_guard lock(mutex_);
        if (durable_ < seq && !failed_) {
            callbacks_.emplace(seq, std::move(done));
            return;
        }
        if (durable_ < seq)
            error = "the database refused a write: " + *failed_;
    }
    done(error ? &*error : nullptr);
}

void StoreWriter::flush() {
    std::unique_lock lock(mutex_);
    const std::uint64_t last = next_seq_ - 1;
    durable_cv_.wait(lock, [&] { return durable_ >= last || failed_; });
}

StoreWriter::Stats StoreWriter::stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
}

std::optional<std::string> StoreWriter::write_group(const std::vector<Pending>& group) {
    // Only the newest row of each object is written: walk from the newest change back and keep
    // the first row seen of each object, then write them oldest first.
    std::set<std::pair<int, std::string_view>> seen;
    std::vector<const StoreRow*> rows;
    for (auto change = group.rbegin(); change != group.rend(); ++change) {
        for (auto row = change->rows.rbegin(); row != change->rows.rend(); ++row) {
            if (seen.emplace(row->cls, row->ref).second)
                rows.push_back(&*row);
        }
    }
    std::reverse(rows.begin(), rows.end());
    try {
        write_(rows);
    } catch (const std::exception& e) {
        return std::string(e.what());
    }
    std::lock_guard lock(mutex_);
    stats_.rows += rows.size();
    return std::nullopt;
}

void StoreWriter::run() {
    for (;;) {
        std::vector<Pending> group;
        {
            std::unique_lock lock(mutex_);
            queued_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty())
                return;  // stopping, and everything is written
            group.swap(queue_);
        }
        std::optional<std::string> error = write_group(group);
        std::vector<std::pair<Done, bool>> told;
        {
            std::lock_guard lock(mutex_);
            if (error) {
                failed_ = *error;
                // Nothing queued after a failed group will be written either.
                queue_.clear();
            } else {
                durable_ = group.back().seq;
                ++stats_.groups;
                stats_.changes += group.size();
            }
            auto end = error ? callbacks_.end() : callbacks_.upper_bound(durable_);
            for (auto it = callbacks_.begin(); it != end; ++it)
                told.emplace_back(std::move(it->second), !error || it->first <= durable_);
            callbacks_.erase(callbacks_.begin(), end);
        }
        durable_cv_.notify_all();
        if (EventStages* stages = EventStages::instance(); stages != nullptr && !error) {
            const std::int64_t now = EventStages::now_ns();
            for (const Pending& p : group)
                stages->record(EventStages::Stage::to_disk, now - p.queued_ns);
        }
        const std::string why = error ? "the database refused a write: " + *error : "";
        for (auto& [done, ok] : told)
            done(ok ? nullptr : &why);
        if (error) {
            std::unique_lock lock(mutex_);
            // Later submits are refused; stay until the store stops.
            queued_cv_.wait(lock, [&] { return stopping_; });
            return;
        }
    }
}

}  // namespace tern::xapi
