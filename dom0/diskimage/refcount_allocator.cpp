// Implements RefcountAllocator.
#include "diskimage/refcount_allocator.hpp"

#include <algorithm>
#include <string>

#include "diskimage/big_endian.hpp"
#include "diskimage/image_error.hpp"
#include "diskimage/qcow2_format.hpp"

namespace tern::dom0::diskimage {
namespace {

std::uint64_t div_up(std::uint64_t a, std::uint64_t b) {
    return (a + b - 1) / b;
}

}  // namespace

RefcountAllocator::RefcountAllocator(const ImageFile& file, std::uint32_t cluster_bits,
                                     std::uint32_t refcount_order, std::uint64_t table_offset,
                                     std::uint32_t table_clusters)
    : file_(file),
      cluster_size_(std::uint64_t{1} << cluster_bits),
      refcount_bits_(1u << refcount_order),
      entries_per_block_((std::uint64_t{1} << cluster_bits) * 8 / (1u << refcount_order)),
      max_refcount_(refcount_order == 6 ? ~std::uint64_t{0}
                                        : (std::uint64_t{1} << (1u << refcount_order)) - 1),
      table_offset_(table_offset),
      table_clusters_(table_clusters) {
    std::vector<std::byte> raw(table_clusters * cluster_size_);
    file_.read_at(table_offset, raw);
    table_.resize(raw.size() / 8);
    for (std::size_t i = 0; i < table_.size(); ++i) {
        table_[i] = load_be64(raw, i * 8);
    }
}

std::uint64_t RefcountAllocator::entry_of(const Block& b, std::uint64_t index) const {
    if (refcount_bits_ >= 8) {
        const std::size_t bytes = refcount_bits_ / 8;
        std::uint64_t value = 0;
        for (std::size_t i = 0; i < bytes; ++i) {
            value = (value << 8) | std::to_integer<std::uint64_t>(b[index * bytes + i]);
        }
        return value;
    }
    const std::uint64_t bit = index * refcount_bits_;
    return (std::to_integer<std::uint64_t>(b[bit / 8]) >> (bit % 8)) & max_refcount_;
}

void RefcountAllocator::put_entry(Block& b, std::uint64_t index, std::uint64_t value) const {
    if (refcount_bits_ >= 8) {
        const std::size_t bytes = refcount_bits_ / 8;
        for (std::size_t i = 0; i < bytes; ++i) {
            b[index * bytes + bytes - 1 - i] = static_cast<std::byte>(value & 0xff);
            value >>= 8;
        }
        return;
    }
    const std::uint64_t bit = index * refcount_bits_;
    const auto shift = static_cast<unsigned>(bit % 8);
    const auto mask = static_cast<unsigned>(max_refcount_ << shift);
    const auto old = std::to_integer<unsigned>(b[bit / 8]);
    b[bit / 8] = static_cast<std::byte>((old & ~mask) | ((value << shift) & mask));
}

void RefcountAllocator::write_entry(std::uint64_t ti, const Block& b, std::uint64_t index) {
    const std::uint64_t first_byte = index * refcount_bits_ / 8;
    const std::uint64_t length = std::max<std::uint64_t>(1, refcount_bits_ / 8);
    file_.write_at(table_[ti] + first_byte,
                   std::span(b).subspan(static_cast<std::size_t>(first_byte),
                                        static_cast<std::size_t>(length)));
}

RefcountAllocator::Block* RefcountAllocator::block(std::uint64_t ti) {
    if (ti >= table_.size()) {
        return nullptr;
    }
    const std::uint64_t offset = table_[ti] & qcow2::kRefcountTableOffsetMask;
    if (offset == 0) {
        return nullptr;
    }
    auto it = blocks_.find(ti);
    if (it == blocks_.end()) {
        if (offset % cluster_size_ != 0) {
            throw ImageError(file_.path(), "refcount block offset " + std::to_string(offset) +
                                               " is not cluster aligned");
        }
        Block b(cluster_size_);
        file_.read_at(offset, b);
        it = blocks_.emplace(ti, std::move(b)).first;
    }
    return &it->second;
}

std::uint64_t RefcountAllocator::get_locked(std::uint64_t cluster_index) {
    const Block* b = block(cluster_index / entries_per_block_);
    return b == nullptr ? 0 : entry_of(*b, cluster_index % entries_per_block_);
}

void RefcountAllocator::set_locked(std::uint64_t cluster_index, std::uint64_t value) {
    const std::uint64_t ti = cluster_index / entries_per_block_;
    ensure_block(ti);
    Block* b = block(ti);
    if (b == nullptr) {
        throw ImageError(file_.path(),
                         "refcount block " + std::to_string(ti) + " could not be created");
    }
    put_entry(*b, cluster_index % entries_per_block_, value);
    write_entry(ti, *b, cluster_index % entries_per_block_);
}

bool RefcountAllocator::ensure_block(std::uint64_t ti) {
    if (ti >= table_.size()) {
        grow_table(ti + 1);
        if (block(ti) != nullptr) {
            return true;
        }
    } else if (block(ti) != nullptr) {
        return false;
    }
    // The header lives in the range of block 0: without that block the image is corrupt, and
    // the rule below would put a block over the header.
    if (ti == 0) {
        throw ImageError(file_.path(),
                         "refcount table entry 0 is empty although the header is "
                         "in use: the image is corrupt");
    }
    // No block yet, so every cluster of its range is free: the block describes itself from the
    // first cluster of its range. It is made durable before the table points to it.
    const std::uint64_t self = ti * entries_per_block_;
    Block b(cluster_size_);
    put_entry(b, 0, 1);
    file_.write_at(self * cluster_size_, b);
    file_.sync();
    table_[ti] = self * cluster_size_;
    std::byte raw[8];
    store_be64(raw, 0, table_[ti]);
    file_.write_at(table_offset_ + ti * 8, raw);
    blocks_.emplace(ti, std::move(b));
    return true;
}

void RefcountAllocator::grow_table(std::uint64_t needed_entries) {
    // The new table and the blocks describing it go into the first range the old table cannot
    // describe, which is therefore entirely free: blocks first, then the table.
    const std::uint64_t first_ti = table_.size();
    const std::uint64_t region = first_ti * entries_per_block_;
    const std::uint64_t per_cluster = cluster_size_ / 8;
    std::uint64_t blocks = 1;
    std::uint64_t table_clusters = 0;
    for (;;) {
        const std::uint64_t entries = std::max(needed_entries, first_ti + blocks) * 3 / 2 + 1;
        table_clusters = div_up(entries, per_cluster);
        const std::uint64_t need_blocks = div_up(blocks + table_clusters, entries_per_block_);
        if (need_blocks <= blocks) {
            break;
        }
        blocks = need_blocks;
    }
    if (table_clusters * cluster_size_ > qcow2::kMaxRefcountTableBytes) {
        throw ImageError(file_.path(), "the refcount table would exceed its maximum size");
    }

    std::vector<std::uint64_t> table = table_;
    table.resize(table_clusters * per_cluster, 0);
    std::vector<Block> new_blocks(blocks, Block(cluster_size_));
    for (std::uint64_t i = 0; i < blocks + table_clusters; ++i) {
        put_entry(new_blocks[i / entries_per_block_], i % entries_per_block_, 1);
    }
    for (std::uint64_t j = 0; j < blocks; ++j) {
        table[first_ti + j] = (region + j) * cluster_size_;
        file_.write_at((region + j) * cluster_size_, new_blocks[j]);
    }
    std::vector<std::byte> raw(table_clusters * cluster_size_);
    for (std::size_t i = 0; i < table.size(); ++i) {
        store_be64(raw, i * 8, table[i]);
    }
    const std::uint64_t new_offset = (region + blocks) * cluster_size_;
    file_.write_at(new_offset, raw);
    file_.sync();

    // Switch the header to the new table (offset and cluster count are adjacent: one write).
    std::byte header[12];
    store_be64(header, 0, new_offset);
    store_be32(header, 8, static_cast<std::uint32_t>(table_clusters));
    file_.write_at(qcow2::field::kRefcountTableOffset, header);
    file_.sync();

    const std::uint64_t old_offset = table_offset_;
    const std::uint64_t old_clusters = table_clusters_;
    table_ = std::move(table);
    table_offset_ = new_offset;
    table_clusters_ = static_cast<std::uint32_t>(table_clusters);
    for (std::uint64_t j = 0; j < blocks; ++j) {
        blocks_[first_ti + j] = std::move(new_blocks[j]);
    }
    for (std::uint64_t c = 0; c < old_clusters; ++c) {
        const std::uint64_t index = old_offset / cluster_size_ + c;
        const std::uint64_t count = get_locked(index);
        if (count > 0) {
            set_locked(index, count - 1);
        }
        free_hint_ = std::min(free_hint_, index);
    }
}

bool RefcountAllocator::run_is_free(std::uint64_t first, std::uint64_t count) {
    for (std::uint64_t c = first; c < first + count; ++c) {
        if (get_locked(c) != 0) {
            return false;
        }
    }
    return true;
}

std::uint64_t RefcountAllocator::missing_blocks(std::uint64_t first, std::uint64_t count) {
    std::uint64_t missing = 0;
    for (std::uint64_t ti = first / entries_per_block_;
         ti <= (first + count - 1) / entries_per_block_; ++ti) {
        if (block(ti) == nullptr) {
            ++missing;
        }
    }
    return missing;
}

std::uint64_t RefcountAllocator::allocate(std::uint64_t count) {
    if (count == 0) {
        throw ImageError(file_.path(), "allocation of zero clusters");
    }
    std::lock_guard lock(mutex_);
    if (block(0) == nullptr) {
        throw ImageError(file_.path(),
                         "refcount table entry 0 is empty although the header is "
                         "in use: the image is corrupt");
    }
    for (;;) {
        std::uint64_t first = free_hint_;
        while (get_locked(first) != 0) {
            ++first;
        }
        free_hint_ = first;
        // The run may need refcount blocks that do not exist yet. They go right in front of
        // it, so the run is `extra` clusters longer; the number of missing blocks only grows
        // with the run, so this settles.
        std::uint64_t extra = 0;
        for (;;) {
            if (!run_is_free(first, extra + count)) {
                ++first;
                extra = 0;
                continue;
            }
            const std::uint64_t missing = missing_blocks(first, extra + count);
            if (missing == extra) {
                break;
            }
            extra = missing;
        }
        const std::uint64_t total = extra + count;
        const std::uint64_t last_ti = (first + total - 1) / entries_per_block_;
        if (last_ti >= table_.size()) {
            grow_table(last_ti + 1);
            continue;  // the table took clusters: search again
        }
        if (extra > 0) {
            add_blocks(first, total);
        }
        for (std::uint64_t c = first + extra; c < first + total; ++c) {
            set_locked(c, 1);
        }
        if (first == free_hint_) {
            free_hint_ = first + total;
        }
        return (first + extra) * cluster_size_;
    }
}

void RefcountAllocator::add_blocks(std::uint64_t first, std::uint64_t total) {
    // The new blocks take the first clusters of [first, first + total), one per range without
    // a block; each new block counts the clusters of the run that lie in its range. They are
    // durable before the table points to them.
    std::vector<std::pair<std::uint64_t, Block>> created;
    const std::uint64_t position = first;
    for (std::uint64_t ti = first / entries_per_block_;
         ti <= (first + total - 1) / entries_per_block_; ++ti) {
        if (block(ti) == nullptr) {
            created.emplace_back(ti, Block(cluster_size_));
        }
    }
    std::vector<std::uint64_t> offsets;
    for (std::size_t i = 0; i < created.size(); ++i) {
        offsets.push_back((position + i) * cluster_size_);
    }
    for (std::size_t i = 0; i < created.size(); ++i) {
        const std::uint64_t c = offsets[i] / cluster_size_;
        for (auto& [ti, b] : created) {
            if (c / entries_per_block_ == ti) {
                put_entry(b, c % entries_per_block_, 1);
            }
        }
    }
    for (std::size_t i = 0; i < created.size(); ++i) {
        file_.write_at(offsets[i], created[i].second);
    }
    file_.sync();
    for (std::size_t i = 0; i < created.size(); ++i) {
        const std::uint64_t ti = created[i].first;
        table_[ti] = offsets[i];
        std::byte raw[8];
        store_be64(raw, 0, table_[ti]);
        file_.write_at(table_offset_ + ti * 8, raw);
        blocks_.emplace(ti, std::move(created[i].second));
    }
    // Blocks living in ranges that already had a block are counted there.
    for (std::size_t i = 0; i < created.size(); ++i) {
        const std::uint64_t c = offsets[i] / cluster_size_;
        bool self_counted = false;
        for (std::size_t j = 0; j < created.size(); ++j) {
            self_counted = self_counted || created[j].first == c / entries_per_block_;
        }
        if (!self_counted) {
            set_locked(c, 1);
        }
    }
}

void RefcountAllocator::release(std::uint64_t offset, std::uint64_t count) {
    std::lock_guard lock(mutex_);
    const std::uint64_t first = offset / cluster_size_;
    for (std::uint64_t c = first; c < first + count; ++c) {
        const std::uint64_t value = get_locked(c);
        if (value == 0) {
            throw ImageError(file_.path(), "freeing cluster " + std::to_string(c) +
                                               " whose refcount is already zero");
        }
        set_locked(c, value - 1);
        if (value == 1) {
            free_hint_ = std::min(free_hint_, c);
        }
    }
}

std::uint64_t RefcountAllocator::refcount(std::uint64_t cluster_index) {
    std::lock_guard lock(mutex_);
    return get_locked(cluster_index);
}

void RefcountAllocator::set_refcount(std::uint64_t cluster_index, std::uint64_t value) {
    std::lock_guard lock(mutex_);
    if (value > max_refcount_) {
        throw ImageError(file_.path(), "refcount " + std::to_string(value) + " overflows");
    }
    set_locked(cluster_index, value);
    if (value == 0) {
        free_hint_ = std::min(free_hint_, cluster_index);
    }
}

std::uint64_t RefcountAllocator::table_offset() {
    std::lock_guard lock(mutex_);
    return table_offset_;
}

std::uint32_t RefcountAllocator::table_clusters() {
    std::lock_guard lock(mutex_);
    return table_clusters_;
}

std::vector<std::uint64_t> RefcountAllocator::table_entries() {
    std::lock_guard lock(mutex_);
    return table_;
}

std::uint64_t RefcountAllocator::covered_clusters() {
    std::lock_guard lock(mutex_);
    return table_.size() * entries_per_block_;
}

}  // namespace tern::dom0::diskimage
