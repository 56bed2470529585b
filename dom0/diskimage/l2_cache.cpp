// Implements L2Table and L2Cache.
#include "diskimage/l2_cache.hpp"

#include <algorithm>

#include "diskimage/big_endian.hpp"

namespace tern::dom0::diskimage {

std::vector<std::byte> L2Table::snapshot(std::uint64_t& generation) const {
    std::shared_lock lock(mutex_);
    std::vector<std::byte> raw(entries_.size() * 8);
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        store_be64(raw, i * 8, entries_[i]);
    }
    generation = modified_.load(std::memory_order_acquire);
    return raw;
}

void L2Table::load(std::span<const std::byte> raw) {
    std::unique_lock lock(mutex_);
    for (std::size_t i = 0; i < entries_.size(); ++i) {
        entries_[i] = load_be64(raw, i * 8);
    }
}

L2Cache::L2Cache(const ImageFile& file, std::size_t entries_per_table, std::size_t capacity_tables)
    : file_(file),
      entries_per_table_(entries_per_table),
      capacity_per_shard_(std::max<std::size_t>(1, capacity_tables / kShards)) {}

L2Cache::Shard& L2Cache::shard_for(std::uint64_t host_offset) {
    const std::uint64_t cluster = host_offset / (entries_per_table_ * 8);
    return shards_[cluster % kShards];
}

void L2Cache::evict_locked(Shard& shard) {
    while (shard.tables.size() > capacity_per_shard_) {
        auto victim = shard.tables.end();
        for (auto it = shard.tables.begin(); it != shard.tables.end(); ++it) {
            // use_count() == 1: only the cache holds it, and nobody can take it while the
            // shard mutex is held.
            if (it->second.use_count() == 1 && !it->second->dirty() &&
                (victim == shard.tables.end() ||
                 it->second->last_use_ < victim->second->last_use_)) {
                victim = it;
            }
        }
        if (victim == shard.tables.end()) {
            if (shard.tables.size() > 2 * capacity_per_shard_) {
                pressure_.store(true, std::memory_order_relaxed);
            }
            return;
        }
        shard.tables.erase(victim);
    }
}

std::shared_ptr<L2Table> L2Cache::insert(Shard& shard, std::shared_ptr<L2Table> table) {
    auto [it, inserted] = shard.tables.emplace(table->host_offset(), table);
    it->second->last_use_ = ++shard.clock;
    std::shared_ptr<L2Table> result = it->second;
    if (inserted) {
        evict_locked(shard);
    }
    return result;
}

std::shared_ptr<L2Table> L2Cache::get(std::uint64_t host_offset) {
    Shard& shard = shard_for(host_offset);
    std::lock_guard lock(shard.mutex);
    auto it = shard.tables.find(host_offset);
    if (it != shard.tables.end()) {
        it->second->last_use_ = ++shard.clock;
        return it->second;
    }
    // The miss is read under the shard lock, so that no stale copy can race with a table that
    // is modified, written back and evicted meanwhile. Only this shard waits.
    auto table = std::make_shared<L2Table>(host_offset, entries_per_table_);
    std::vector<std::byte> raw(entries_per_table_ * 8);
    file_.read_at(host_offset, raw);
    table->load(raw);
    return insert(shard, std::move(table));
}

std::shared_ptr<L2Table> L2Cache::insert_new(std::uint64_t host_offset) {
    Shard& shard = shard_for(host_offset);
    std::lock_guard lock(shard.mutex);
    return insert(shard, std::make_shared<L2Table>(host_offset, entries_per_table_));
}

std::vector<std::shared_ptr<L2Table>> L2Cache::dirty_tables() {
    std::vector<std::shared_ptr<L2Table>> dirty;
    for (Shard& shard : shards_) {
        std::lock_guard lock(shard.mutex);
        for (const auto& [offset, table] : shard.tables) {
            if (table->dirty()) {
                dirty.push_back(table);
            }
        }
    }
    return dirty;
}

}  // namespace tern::dom0::diskimage
