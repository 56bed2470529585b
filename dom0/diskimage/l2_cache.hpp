// Defines L2Table and L2Cache: the qcow2 L2 tables of one image held in memory, sharded so that
// lookups from different threads rarely meet on one mutex.
//
// Locking:
//   - Each shard has a mutex held to find, insert or evict a table and to read a missing table
//     from the file (never during I/O on data, never while taking another lock but a table's).
//   - Each L2Table has a shared_mutex guarding its entries: readers of entries take it shared,
//     the writer that changes an entry takes it exclusively.
// A table is modified in memory and written back by Qcow2Image::flush (write-back cache, as
// qcow2 allows: the L2 update reaches the disk only after the data and refcounts it depends on
// are synced). A table is evicted only when it is clean and no thread holds it.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <unordered_map>
#include <vector>

#include "diskimage/image_file.hpp"

namespace tern::dom0::diskimage {

class L2Table {
  public:
    L2Table(std::uint64_t host_offset, std::size_t entries)
        : host_offset_(host_offset), entries_(entries, 0) {}

    [[nodiscard]] std::uint64_t host_offset() const { return host_offset_; }

    [[nodiscard]] std::uint64_t get(std::size_t index) const {
        std::shared_lock lock(mutex_);
        return entries_[index];
    }
    void set(std::size_t index, std::uint64_t raw) {
        std::unique_lock lock(mutex_);
        entries_[index] = raw;
        modified_.fetch_add(1, std::memory_order_release);
    }
    // Copies the entries (big-endian, as on disk) and the generation they correspond to.
    [[nodiscard]] std::vector<std::byte> snapshot(std::uint64_t& generation) const;
    // Loads the entries from their on-disk form.
    void load(std::span<const std::byte> raw);
    [[nodiscard]] bool dirty() const {
        return modified_.load(std::memory_order_acquire) !=
               written_.load(std::memory_order_acquire);
    }
    void mark_written(std::uint64_t generation) {
        written_.store(generation, std::memory_order_release);
    }

  private:
    const std::uint64_t host_offset_;
    mutable std::shared_mutex mutex_;
    std::vector<std::uint64_t> entries_;
    std::atomic<std::uint64_t> modified_{0};
    std::atomic<std::uint64_t> written_{0};
    friend class L2Cache;
    std::uint64_t last_use_ = 0;  // guarded by the shard mutex
};

class L2Cache {
  public:
    static constexpr std::size_t kShards = 16;

    L2Cache(const ImageFile& file, std::size_t entries_per_table, std::size_t capacity_tables);

    // The table at `host_offset`, read from the file when not cached.
    [[nodiscard]] std::shared_ptr<L2Table> get(std::uint64_t host_offset);
    // Caches a new, all-zero table (its cluster already zeroed on disk).
    [[nodiscard]] std::shared_ptr<L2Table> insert_new(std::uint64_t host_offset);
    [[nodiscard]] std::vector<std::shared_ptr<L2Table>> dirty_tables();
    // True when some shard holds more dirty tables than it may; the owner then flushes.
    [[nodiscard]] bool under_pressure() const { return pressure_.load(std::memory_order_relaxed); }
    void clear_pressure() { pressure_.store(false, std::memory_order_relaxed); }

  private:
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::uint64_t, std::shared_ptr<L2Table>> tables;
        std::uint64_t clock = 0;
    };
    Shard& shard_for(std::uint64_t host_offset);
    std::shared_ptr<L2Table> insert(Shard& shard, std::shared_ptr<L2Table> table);
    void evict_locked(Shard& shard);

    const ImageFile& file_;
    const std::size_t entries_per_table_;
    const std::size_t capacity_per_shard_;
    std::array<Shard, kShards> shards_;
    std::atomic<bool> pressure_{false};
};

}  // namespace tern::dom0::diskimage
