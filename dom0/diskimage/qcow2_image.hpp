// Defines Qcow2Image: a qcow2 image (version 3, version 2 too) behind the DiskImage interface,
// with backing files, zero clusters, compressed clusters (read), discard, growth, check and
// repair.
//
// Crash safety. Metadata is updated in the order qcow2 requires: data, then refcounts, then
// L2, then L1. Data and refcounts are written at once; L2 tables live in a write-back cache
// (L2Cache) that flush() writes only after an fsync has made the data and refcounts they point
// to durable, and a new L2 table is zeroed and synced before the L1 entry points to it. A
// cluster is freed (refcount lowered) only after the L2 update that stops using it is durable.
// An interrupted writer therefore leaves at worst leaked clusters, which check(kLeaks)
// repairs. With lazy refcounts the image is marked dirty while open for writing; opening a
// dirty image for writing rebuilds its refcounts.
//
// Locking, in the order locks nest (a thread holding one may take only those below it):
//   1. stripes_[guest cluster % kStripes] (shared_mutex): shared by reads and by writes into
//      an allocated cluster, exclusive while a guest cluster is allocated, copied on write or
//      discarded. Reads of allocated clusters and overwrites of them thus run in parallel;
//      an allocation blocks only its own guest cluster (and the few sharing its stripe).
//   2. l1_mutex_: creation of an L2 table (an L1 entry changes). L1 entries are atomics, read
//      without it.
//   3. L2Cache shard mutexes, then an L2Table's own shared_mutex (see l2_cache.hpp).
//   4. RefcountAllocator's mutex: allocating and freeing clusters.
//   5. pending_mutex_: the list of clusters to free at the next flush.
// flush_mutex_ serialises flush() and is taken before any other, never while holding one.
// resize() and check() need exclusive use of the image (no concurrent calls).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "diskimage/disk_image.hpp"
#include "diskimage/image_file.hpp"
#include "diskimage/l2_cache.hpp"
#include "diskimage/qcow2_format.hpp"
#include "diskimage/qcow2_header.hpp"
#include "diskimage/refcount_allocator.hpp"

namespace tern::dom0::diskimage {

struct Qcow2CreateOptions {
    std::uint64_t virtual_size = 0;  // rounded up to a multiple of 512
    std::uint32_t cluster_size = 64 * 1024;
    std::uint32_t version = 3;
    std::uint32_t refcount_bits = 16;
    bool lazy_refcounts = false;
    std::optional<std::string> backing_file;  // as recorded in the header
    std::optional<ImageFormat> backing_format;
};

enum class RepairMode { kNone, kLeaks, kAll };

struct CheckResult {
    std::uint64_t leaks = 0;        // clusters whose refcount exceeds their references
    std::uint64_t corruptions = 0;  // references a refcount does not cover, bad offsets, flags
    std::uint64_t leaks_fixed = 0;
    std::uint64_t corruptions_fixed = 0;
    std::uint64_t allocated_clusters = 0;  // guest clusters with data in this image
    std::uint64_t total_clusters = 0;      // guest clusters of the virtual size
    std::uint64_t image_end_offset = 0;
    std::vector<std::string> messages;
};

class Qcow2Image final : public DiskImage {
  public:
    static constexpr std::size_t kStripes = 1024;

    static void create(const std::filesystem::path& path, const Qcow2CreateOptions& options);
    [[nodiscard]] static std::unique_ptr<Qcow2Image> open(const std::filesystem::path& path,
                                                          const OpenOptions& options,
                                                          int backing_depth = 0);
    ~Qcow2Image() override;

    [[nodiscard]] ImageFormat format() const override { return ImageFormat::kQcow2; }
    [[nodiscard]] std::uint64_t virtual_size() const override { return header_.size; }
    [[nodiscard]] const std::filesystem::path& path() const override { return file_.path(); }
    [[nodiscard]] ImageInfo info() const override;

    void read(std::uint64_t offset, std::span<std::byte> out) override;
    void write(std::uint64_t offset, std::span<const std::byte> data) override;
    void discard(std::uint64_t offset, std::uint64_t length) override;
    void flush() override;
    void resize(std::uint64_t new_size) override;
    [[nodiscard]] bool known_zero(std::uint64_t offset, std::uint64_t length) override;

    // Virtual sizes are rounded up to whole 512-byte sectors, as QEMU does.
    [[nodiscard]] static std::uint64_t round_virtual_size(std::uint64_t size);

    // Checks refcounts against every reference; repairs what `mode` allows. Needs exclusive
    // use of the image, and a writable one to repair.
    [[nodiscard]] CheckResult check(RepairMode mode);

    [[nodiscard]] const Qcow2Header& header() const { return header_; }
    [[nodiscard]] DiskImage* backing() const { return backing_.get(); }

  private:
    Qcow2Image(ImageFile file, Qcow2Header header, const OpenOptions& options);

    [[nodiscard]] std::uint64_t cluster_size() const { return header_.cluster_size(); }
    [[nodiscard]] std::uint64_t l2_entries() const { return cluster_size() / 8; }
    [[nodiscard]] std::shared_mutex& stripe(std::uint64_t guest_cluster) {
        return stripes_[guest_cluster % kStripes];
    }
    void check_range(std::uint64_t offset, std::uint64_t length, const char* operation) const;
    void require_writable(const char* operation) const;
    void load_l1();
    void set_dirty_bit(bool dirty);

    // Allocates clusters and raises host_limit_ past them.
    [[nodiscard]] std::uint64_t allocate_clusters(std::uint64_t count);
    // The L2 entry of a guest cluster, decoded and validated.
    [[nodiscard]] qcow2::L2Entry lookup(std::uint64_t guest_cluster);
    [[nodiscard]] std::uint64_t lookup_raw(std::uint64_t guest_cluster);
    [[nodiscard]] std::shared_ptr<L2Table> l2_table_for(std::uint64_t guest_cluster, bool create);
    // Reads part of one cluster whose entry is known; `guest_offset` lies in that cluster.
    void read_in_cluster(const qcow2::L2Entry& entry, std::uint64_t guest_offset,
                         std::span<std::byte> out);
    void read_backing(std::uint64_t guest_offset, std::span<std::byte> out);
    void read_compressed(const qcow2::L2Entry& entry, std::span<std::byte> cluster);
    void write_in_cluster(std::uint64_t guest_offset, std::span<const std::byte> data);
    void discard_cluster(std::uint64_t guest_cluster);
    // Queues the host clusters an entry owns, freed once the L2 update is durable.
    void release_later(const qcow2::L2Entry& entry);
    void apply_pending_frees(std::vector<std::pair<std::uint64_t, std::uint64_t>> frees);

    ImageFile file_;
    Qcow2Header header_;
    OpenOptions options_;
    std::unique_ptr<DiskImage> backing_;
    std::unique_ptr<RefcountAllocator> refcounts_;
    std::unique_ptr<std::atomic<std::uint64_t>[]> l1_;
    std::unique_ptr<L2Cache> l2_cache_;
    std::array<std::shared_mutex, kStripes> stripes_;
    std::mutex l1_mutex_;
    std::mutex flush_mutex_;
    std::mutex pending_mutex_;
    std::vector<std::pair<std::uint64_t, std::uint64_t>> pending_frees_;  // offset, clusters
    bool dirty_bit_set_ = false;
    // No valid table entry points at or past this host offset: the file size at open, raised
    // by every allocation. Bounds what a corrupt image can make us read or write.
    std::atomic<std::uint64_t> host_limit_{0};

    friend class Qcow2Checker;
};

}  // namespace tern::dom0::diskimage
