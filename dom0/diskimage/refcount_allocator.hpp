// Defines RefcountAllocator: the qcow2 refcount table and refcount blocks of one image, and the
// allocation of host clusters they describe.
//
// Every refcount change is written to the file at once (pwrite, without fsync); callers that
// make a new reference to a cluster sync the file before that reference is written, which keeps
// the qcow2 order "refcount before the reference". New refcount blocks and a grown refcount
// table are synced before anything points to them, so an interrupted update leaves at worst
// leaked clusters, never a cluster in use with a refcount of zero.
//
// Locking: one internal mutex guards all of it. It is taken only when clusters are allocated
// or freed (and by check), never on the path of reads or of writes to allocated clusters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "diskimage/image_file.hpp"

namespace tern::dom0::diskimage {

class RefcountAllocator {
  public:
    // Loads the refcount table; refcount blocks are loaded when first used.
    RefcountAllocator(const ImageFile& file, std::uint32_t cluster_bits,
                      std::uint32_t refcount_order, std::uint64_t table_offset,
                      std::uint32_t table_clusters);

    // Allocates `count` contiguous clusters with refcount one; returns the byte offset.
    [[nodiscard]] std::uint64_t allocate(std::uint64_t count);
    // Drops one reference from each of `count` clusters starting at byte offset `offset`.
    void release(std::uint64_t offset, std::uint64_t count);

    [[nodiscard]] std::uint64_t refcount(std::uint64_t cluster_index);
    // Sets a refcount (repair).
    void set_refcount(std::uint64_t cluster_index, std::uint64_t value);

    [[nodiscard]] std::uint64_t table_offset();
    [[nodiscard]] std::uint32_t table_clusters();
    // The refcount table entries (refcount block offsets), for check.
    [[nodiscard]] std::vector<std::uint64_t> table_entries();
    // Clusters the table can describe.
    [[nodiscard]] std::uint64_t covered_clusters();
    [[nodiscard]] std::uint64_t max_refcount() const { return max_refcount_; }

  private:
    using Block = std::vector<std::byte>;

    [[nodiscard]] std::uint64_t get_locked(std::uint64_t cluster_index);
    void set_locked(std::uint64_t cluster_index, std::uint64_t value);
    [[nodiscard]] std::uint64_t missing_blocks(std::uint64_t first, std::uint64_t count);
    void add_blocks(std::uint64_t first, std::uint64_t total);
    [[nodiscard]] bool run_is_free(std::uint64_t first, std::uint64_t count);
    // The loaded block for table index `ti`, or nullptr when the table has no block there.
    [[nodiscard]] Block* block(std::uint64_t ti);
    // Makes sure table index `ti` has a block, creating the block (and growing the table) as
    // needed. Returns true when it changed the allocation map (callers rescan).
    bool ensure_block(std::uint64_t ti);
    void grow_table(std::uint64_t needed_entries);
    [[nodiscard]] std::uint64_t entry_of(const Block& b, std::uint64_t index) const;
    void put_entry(Block& b, std::uint64_t index, std::uint64_t value) const;
    void write_entry(std::uint64_t ti, const Block& b, std::uint64_t index);

    std::mutex mutex_;
    const ImageFile& file_;
    const std::uint64_t cluster_size_;
    const std::uint32_t refcount_bits_;
    const std::uint64_t entries_per_block_;
    const std::uint64_t max_refcount_;
    std::uint64_t table_offset_;
    std::uint32_t table_clusters_;
    std::vector<std::uint64_t> table_;
    std::unordered_map<std::uint64_t, Block> blocks_;
    std::uint64_t free_hint_ = 0;
};

}  // namespace tern::dom0::diskimage
