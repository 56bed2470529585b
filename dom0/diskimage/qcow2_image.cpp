// Implements Qcow2Image: opening, lookups and the read path. Writes, discard, flush and resize
// are in qcow2_write.cpp, creation in qcow2_create.cpp, check and repair in qcow2_check.cpp.
#include "diskimage/qcow2_image.hpp"

#include <algorithm>
#include <cstring>

#include "diskimage/big_endian.hpp"
#include "diskimage/compressed_cluster.hpp"
#include "diskimage/image_error.hpp"
#include "diskimage/image_open.hpp"

namespace tern::dom0::diskimage {
namespace {

constexpr int kMaxBackingDepth = 256;
// A read merges at most this many host-contiguous clusters into one pread (and holds as many
// stripe locks meanwhile).
constexpr std::size_t kMaxCoalescedClusters = 32;

}  // namespace

Qcow2Image::Qcow2Image(ImageFile file, Qcow2Header header, const OpenOptions& options)
    : file_(std::move(file)), header_(std::move(header)), options_(options) {}

std::unique_ptr<Qcow2Image> Qcow2Image::open(const std::filesystem::path& path,
                                             const OpenOptions& options, int backing_depth) {
    if (backing_depth > kMaxBackingDepth) {
        throw ImageError(
            path, "backing chain deeper than " + std::to_string(kMaxBackingDepth) + " (a loop?)");
    }
    ImageFile file(path, options.writable ? OpenMode::kReadWrite : OpenMode::kReadOnly);
    file.lock(!options.lock      ? ImageLock::kNone
              : options.writable ? ImageLock::kWriter
                                 : ImageLock::kReader);
    std::vector<std::byte> first(32);
    file.read_at(0, first);
    std::vector<std::byte> cluster(Qcow2Header::bytes_to_read(first, path));
    file.read_at(0, cluster);
    Qcow2Header header = Qcow2Header::parse(cluster, path);
    if (options.writable && header.nb_snapshots > 0) {
        throw ImageError(path, "writing to an image with internal snapshots is not supported");
    }
    if (options.writable && (header.incompatible_features & qcow2::kIncompatCorrupt) != 0) {
        throw ImageError(path, "image is marked corrupt; it can only be opened read-only");
    }

    // The tables must lie in the file: this bounds every later walk by the file's size.
    const std::uint64_t file_size = file.size();
    if (header.l1_table_offset + std::uint64_t{header.l1_size} * 8 > file_size) {
        throw ImageError(path, "L1 table lies beyond the end of the file");
    }
    if (header.refcount_table_offset + header.refcount_table_clusters * header.cluster_size() >
        file_size) {
        throw ImageError(path, "refcount table lies beyond the end of the file");
    }
    std::unique_ptr<Qcow2Image> image(new Qcow2Image(std::move(file), std::move(header), options));
    image->host_limit_.store(file_size, std::memory_order_relaxed);
    image->load_l1();
    const Qcow2Header& h = image->header_;
    image->refcounts_ =
        std::make_unique<RefcountAllocator>(image->file_, h.cluster_bits, h.refcount_order,
                                            h.refcount_table_offset, h.refcount_table_clusters);
    const std::size_t table_bytes = static_cast<std::size_t>(h.cluster_size());
    image->l2_cache_ = std::make_unique<L2Cache>(
        image->file_, h.cluster_size() / 8,
        std::max<std::size_t>(L2Cache::kShards, options.l2_cache_bytes / table_bytes));

    if (h.backing_file && options.open_backing) {
        std::filesystem::path backing = *h.backing_file;
        if (backing.is_relative()) {
            backing = path.parent_path() / backing;
        }
        OpenOptions backing_options = options;
        backing_options.writable = false;
        const std::optional<ImageFormat> format =
            h.backing_format ? std::optional(parse_format(*h.backing_format, "backing format"))
                             : std::nullopt;
        image->backing_ = open_image(backing, backing_options, format, backing_depth + 1);
    }

    if (options.writable && (h.incompatible_features & qcow2::kIncompatDirty) != 0) {
        // Refcounts may lag behind after a crash with lazy refcounts: rebuild them.
        const CheckResult repaired = image->check(RepairMode::kAll);
        (void)repaired;
        image->set_dirty_bit(false);
    }
    if (options.writable && (h.compatible_features & qcow2::kCompatLazyRefcounts) != 0) {
        image->set_dirty_bit(true);
    }
    return image;
}

Qcow2Image::~Qcow2Image() {
    // Nothing to write back for read-only images or when open() failed half-way.
    if (!file_.writable() || !refcounts_ || !l2_cache_) {
        return;
    }
    try {
        flush();
        if (dirty_bit_set_) {
            set_dirty_bit(false);
        }
    } catch (const ImageError&) {
        // A destructor cannot report; the next open finds leaks or a dirty image and repairs.
    }
}

void Qcow2Image::load_l1() {
    const std::uint32_t count = header_.l1_size;
    std::vector<std::byte> raw(std::size_t{count} * 8);
    file_.read_at(header_.l1_table_offset, raw);
    l1_ = std::make_unique<std::atomic<std::uint64_t>[]>(count);
    for (std::uint32_t i = 0; i < count; ++i) {
        const std::uint64_t entry = load_be64(raw, std::size_t{i} * 8);
        if ((entry & qcow2::kOffsetMask) % cluster_size() != 0) {
            throw ImageError(path(),
                             "L1 entry " + std::to_string(i) + " points to an unaligned L2 table");
        }
        l1_[i].store(entry, std::memory_order_relaxed);
    }
}

void Qcow2Image::set_dirty_bit(bool dirty) {
    if (header_.version < 3) {
        return;
    }
    if (dirty) {
        header_.incompatible_features |= qcow2::kIncompatDirty;
    } else {
        header_.incompatible_features &= ~qcow2::kIncompatDirty;
    }
    std::byte raw[8];
    store_be64(raw, 0, header_.incompatible_features);
    file_.sync();
    file_.write_at(qcow2::field::kIncompatibleFeatures, raw);
    file_.sync();
    dirty_bit_set_ = dirty;
}

ImageInfo Qcow2Image::info() const {
    ImageInfo info;
    info.format = ImageFormat::kQcow2;
    info.virtual_size = header_.size;
    info.file_size = file_.size();
    info.allocated_bytes = file_.allocated_bytes();
    info.cluster_size = header_.cluster_size();
    info.qcow2_version = header_.version;
    info.refcount_bits = header_.refcount_bits();
    info.backing_file = header_.backing_file;
    if (header_.backing_format) {
        info.backing_format = parse_format(*header_.backing_format, "backing format");
    }
    if (header_.backing_file) {
        std::filesystem::path backing = *header_.backing_file;
        info.backing_path = backing.is_relative() ? path().parent_path() / backing : backing;
    }
    info.dirty = (header_.incompatible_features & qcow2::kIncompatDirty) != 0 && !dirty_bit_set_;
    info.lazy_refcounts = (header_.compatible_features & qcow2::kCompatLazyRefcounts) != 0;
    info.corrupt = (header_.incompatible_features & qcow2::kIncompatCorrupt) != 0;
    return info;
}

void Qcow2Image::check_range(std::uint64_t offset, std::uint64_t length,
                             const char* operation) const {
    if (offset > header_.size || length > header_.size - offset) {
        throw ImageError(path(), std::string(operation) + " of " + std::to_string(length) +
                                     " bytes at " + std::to_string(offset) +
                                     " is beyond the virtual size " + std::to_string(header_.size));
    }
}

void Qcow2Image::require_writable(const char* operation) const {
    if (!file_.writable()) {
        throw ImageError(path(), std::string(operation) + " on an image opened read-only");
    }
}

std::shared_ptr<L2Table> Qcow2Image::l2_table_for(std::uint64_t guest_cluster, bool create) {
    const std::uint64_t index = guest_cluster / l2_entries();
    if (index >= header_.l1_size) {
        throw ImageError(
            path(), "guest cluster " + std::to_string(guest_cluster) + " is beyond the L1 table");
    }
    std::uint64_t offset = l1_[index].load(std::memory_order_acquire) & qcow2::kOffsetMask;
    if (offset != 0) {
        if (offset >= host_limit_.load(std::memory_order_acquire)) {
            throw ImageError(
                path(), "L1 entry " + std::to_string(index) + " points beyond the end of the file");
        }
        return l2_cache_->get(offset);
    }
    if (!create) {
        return nullptr;
    }
    std::lock_guard lock(l1_mutex_);
    offset = l1_[index].load(std::memory_order_acquire) & qcow2::kOffsetMask;
    if (offset != 0) {
        return l2_cache_->get(offset);
    }
    // A new L2 table: zeroed and durable (with its refcount) before the L1 entry points to it.
    offset = allocate_clusters(1);
    const std::vector<std::byte> zeros(cluster_size());
    file_.write_at(offset, zeros);
    file_.sync();
    std::shared_ptr<L2Table> table = l2_cache_->insert_new(offset);
    const std::uint64_t entry = offset | qcow2::kOflagCopied;
    std::byte raw[8];
    store_be64(raw, 0, entry);
    file_.write_at(header_.l1_table_offset + index * 8, raw);
    l1_[index].store(entry, std::memory_order_release);
    return table;
}

std::uint64_t Qcow2Image::allocate_clusters(std::uint64_t count) {
    const std::uint64_t offset = refcounts_->allocate(count);
    const std::uint64_t end = offset + count * cluster_size();
    std::uint64_t limit = host_limit_.load(std::memory_order_relaxed);
    while (limit < end &&
           !host_limit_.compare_exchange_weak(limit, end, std::memory_order_release)) {
    }
    return offset;
}

std::uint64_t Qcow2Image::lookup_raw(std::uint64_t guest_cluster) {
    const std::shared_ptr<L2Table> table = l2_table_for(guest_cluster, false);
    return table ? table->get(guest_cluster % l2_entries()) : 0;
}

qcow2::L2Entry Qcow2Image::lookup(std::uint64_t guest_cluster) {
    const std::uint64_t raw = lookup_raw(guest_cluster);
    qcow2::L2Entry entry = qcow2::decode_l2_entry(raw, header_.cluster_bits, header_.version);
    if ((entry.kind == qcow2::ClusterKind::kNormal || entry.zero_with_allocation) &&
        entry.host_offset % cluster_size() != 0) {
        throw ImageError(path(), "L2 entry of guest cluster " + std::to_string(guest_cluster) +
                                     " points to unaligned host offset " +
                                     std::to_string(entry.host_offset));
    }
    if (entry.kind != qcow2::ClusterKind::kUnallocated &&
        entry.host_offset >= host_limit_.load(std::memory_order_acquire)) {
        throw ImageError(path(), "L2 entry of guest cluster " + std::to_string(guest_cluster) +
                                     " points beyond the end of the file, to " +
                                     std::to_string(entry.host_offset));
    }
    return entry;
}

void Qcow2Image::read_backing(std::uint64_t guest_offset, std::span<std::byte> out) {
    std::size_t from_backing = 0;
    if (backing_ && guest_offset < backing_->virtual_size()) {
        from_backing = static_cast<std::size_t>(
            std::min<std::uint64_t>(out.size(), backing_->virtual_size() - guest_offset));
        backing_->read(guest_offset, out.first(from_backing));
    }
    std::memset(out.data() + from_backing, 0, out.size() - from_backing);
}

void Qcow2Image::read_compressed(const qcow2::L2Entry& entry, std::span<std::byte> cluster) {
    std::vector<std::byte> compressed(entry.compressed_bytes);
    file_.read_at(entry.host_offset, compressed);
    inflate_cluster(compressed, cluster, path(), entry.host_offset);
}

void Qcow2Image::read_in_cluster(const qcow2::L2Entry& entry, std::uint64_t guest_offset,
                                 std::span<std::byte> out) {
    const std::uint64_t in_cluster = guest_offset % cluster_size();
    switch (entry.kind) {
        case qcow2::ClusterKind::kUnallocated:
            read_backing(guest_offset, out);
            return;
        case qcow2::ClusterKind::kZero:
            std::memset(out.data(), 0, out.size());
            return;
        case qcow2::ClusterKind::kNormal:
            file_.read_at(entry.host_offset + in_cluster, out);
            return;
        case qcow2::ClusterKind::kCompressed: {
            std::vector<std::byte> cluster(cluster_size());
            read_compressed(entry, cluster);
            std::memcpy(out.data(), cluster.data() + in_cluster, out.size());
            return;
        }
    }
}

void Qcow2Image::read(std::uint64_t offset, std::span<std::byte> out) {
    check_range(offset, out.size(), "read");
    const std::uint64_t cs = cluster_size();
    std::size_t done = 0;
    while (done < out.size()) {
        const std::uint64_t guest = offset + done;
        const std::uint64_t guest_cluster = guest / cs;
        // Extend over following clusters that are contiguous on the host, to read them in one
        // call; each one's stripe is held shared until the read is done.
        std::vector<std::shared_lock<std::shared_mutex>> locks;
        locks.emplace_back(stripe(guest_cluster));
        const qcow2::L2Entry first = lookup(guest_cluster);
        std::size_t length =
            static_cast<std::size_t>(std::min<std::uint64_t>(out.size() - done, cs - guest % cs));
        if (first.kind == qcow2::ClusterKind::kNormal) {
            std::uint64_t next_cluster = guest_cluster + 1;
            while (done + length < out.size() && locks.size() < kMaxCoalescedClusters &&
                   stripe(next_cluster).try_lock_shared()) {
                std::shared_lock<std::shared_mutex> lock(stripe(next_cluster), std::adopt_lock);
                const qcow2::L2Entry next = lookup(next_cluster);
                if (next.kind != qcow2::ClusterKind::kNormal ||
                    next.host_offset != first.host_offset + (next_cluster - guest_cluster) * cs) {
                    break;
                }
                locks.push_back(std::move(lock));
                length += static_cast<std::size_t>(
                    std::min<std::uint64_t>(out.size() - done - length, cs));
                ++next_cluster;
            }
        }
        if (first.kind == qcow2::ClusterKind::kNormal) {
            file_.read_at(first.host_offset + guest % cs, out.subspan(done, length));
        } else {
            read_in_cluster(first, guest, out.subspan(done, length));
        }
        done += length;
    }
}

bool Qcow2Image::known_zero(std::uint64_t offset, std::uint64_t length) {
    check_range(offset, length, "block status");
    const std::uint64_t cs = cluster_size();
    std::uint64_t position = offset;
    const std::uint64_t end = offset + length;
    while (position < end) {
        const std::uint64_t chunk = std::min(end - position, cs - position % cs);
        std::shared_lock lock(stripe(position / cs));
        const qcow2::L2Entry entry = lookup(position / cs);
        if (entry.kind == qcow2::ClusterKind::kNormal ||
            entry.kind == qcow2::ClusterKind::kCompressed) {
            return false;
        }
        if (entry.kind == qcow2::ClusterKind::kUnallocated && backing_ &&
            position < backing_->virtual_size()) {
            const std::uint64_t in_backing = std::min(chunk, backing_->virtual_size() - position);
            if (!backing_->known_zero(position, in_backing)) {
                return false;
            }
        }
        position += chunk;
    }
    return true;
}

}  // namespace tern::dom0::diskimage
