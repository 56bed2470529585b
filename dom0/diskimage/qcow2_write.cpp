// Implements the changing half of Qcow2Image: write (with allocation and copy on write),
// discard, flush (the ordered write-back of L2 tables and deferred frees) and resize.
#include <algorithm>
#include <cstring>

#include "diskimage/big_endian.hpp"
#include "diskimage/image_error.hpp"
#include "diskimage/qcow2_image.hpp"

namespace tern::dom0::diskimage {
namespace {

std::uint64_t div_up(std::uint64_t a, std::uint64_t b) {
    return (a + b - 1) / b;
}

}  // namespace

void Qcow2Image::write(std::uint64_t offset, std::span<const std::byte> data) {
    check_range(offset, data.size(), "write");
    require_writable("write");
    const std::uint64_t cs = cluster_size();
    std::size_t done = 0;
    while (done < data.size()) {
        const std::uint64_t guest = offset + done;
        const std::size_t length =
            static_cast<std::size_t>(std::min<std::uint64_t>(data.size() - done, cs - guest % cs));
        write_in_cluster(guest, data.subspan(done, length));
        done += length;
    }
    if (l2_cache_->under_pressure()) {
        flush();
    }
}

void Qcow2Image::write_in_cluster(std::uint64_t guest_offset, std::span<const std::byte> data) {
    const std::uint64_t cs = cluster_size();
    const std::uint64_t guest_cluster = guest_offset / cs;
    const std::uint64_t in_cluster = guest_offset % cs;
    {
        std::shared_lock lock(stripe(guest_cluster));
        const qcow2::L2Entry entry = lookup(guest_cluster);
        if (entry.kind == qcow2::ClusterKind::kNormal && entry.copied) {
            file_.write_at(entry.host_offset + in_cluster, data);
            return;
        }
    }
    std::unique_lock lock(stripe(guest_cluster));
    const qcow2::L2Entry entry = lookup(guest_cluster);
    if (entry.kind == qcow2::ClusterKind::kNormal && entry.copied) {
        file_.write_at(entry.host_offset + in_cluster, data);
        return;
    }
    // Allocate: the new cluster gets the old contents (backing file, zeros, compressed or
    // shared data) around the written part, then the data; the L2 entry changes last.
    std::vector<std::byte> cluster(cs);
    if (data.size() != cs) {
        read_in_cluster(entry, guest_cluster * cs, cluster);
    }
    std::memcpy(cluster.data() + in_cluster, data.data(), data.size());
    const std::shared_ptr<L2Table> table = l2_table_for(guest_cluster, true);
    const std::uint64_t host = allocate_clusters(1);
    file_.write_at(host, cluster);
    table->set(guest_cluster % l2_entries(), qcow2::encode_normal_l2_entry(host));
    release_later(entry);
}

void Qcow2Image::release_later(const qcow2::L2Entry& entry) {
    std::uint64_t first = 0;
    std::uint64_t count = 0;
    const std::uint64_t cs = cluster_size();
    if (entry.kind == qcow2::ClusterKind::kNormal || entry.zero_with_allocation) {
        first = entry.host_offset;
        count = 1;
    } else if (entry.kind == qcow2::ClusterKind::kCompressed) {
        first = entry.host_offset / cs * cs;
        count = (entry.host_offset + entry.compressed_bytes - 1) / cs - entry.host_offset / cs + 1;
    } else {
        return;
    }
    std::lock_guard lock(pending_mutex_);
    pending_frees_.emplace_back(first, count);
}

void Qcow2Image::discard_cluster(std::uint64_t guest_cluster) {
    const std::uint64_t cs = cluster_size();
    const bool has_backing = header_.backing_file.has_value();
    if (has_backing && header_.version < 3) {
        // Version 2 has no zero flag: only zeros written over the backing data hide it.
        const std::vector<std::byte> zeros(cs);
        write_in_cluster(guest_cluster * cs, zeros);
        return;
    }
    std::unique_lock lock(stripe(guest_cluster));
    const qcow2::L2Entry entry = lookup(guest_cluster);
    if (entry.kind == qcow2::ClusterKind::kUnallocated && !has_backing) {
        return;
    }
    if (entry.kind == qcow2::ClusterKind::kZero && !entry.zero_with_allocation) {
        return;
    }
    const std::shared_ptr<L2Table> table = l2_table_for(guest_cluster, true);
    table->set(guest_cluster % l2_entries(), has_backing ? qcow2::kOflagZero : 0);
    release_later(entry);
}

void Qcow2Image::discard(std::uint64_t offset, std::uint64_t length) {
    check_range(offset, length, "discard");
    require_writable("discard");
    const std::uint64_t cs = cluster_size();
    std::uint64_t position = offset;
    const std::uint64_t end = offset + length;
    while (position < end) {
        const std::uint64_t chunk = std::min(end - position, cs - position % cs);
        if (chunk == cs) {
            discard_cluster(position / cs);
        } else if (!known_zero(position, chunk)) {
            const std::vector<std::byte> zeros(chunk);
            write_in_cluster(position, zeros);
        }
        position += chunk;
    }
}

void Qcow2Image::flush() {
    if (!file_.writable()) {
        return;
    }
    std::lock_guard flush_lock(flush_mutex_);
    // Frees queued before the L2 snapshots below are covered by them.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> frees;
    {
        std::lock_guard lock(pending_mutex_);
        frees.swap(pending_frees_);
    }
    struct Snapshot {
        std::shared_ptr<L2Table> table;
        std::vector<std::byte> raw;
        std::uint64_t generation = 0;
    };
    std::vector<Snapshot> snapshots;
    for (std::shared_ptr<L2Table>& table : l2_cache_->dirty_tables()) {
        Snapshot s;
        s.raw = table->snapshot(s.generation);
        s.table = std::move(table);
        snapshots.push_back(std::move(s));
    }
    // Data and refcounts first, then the L2 tables that point to them.
    file_.sync();
    if (snapshots.empty() && frees.empty()) {
        return;
    }
    for (const Snapshot& s : snapshots) {
        file_.write_at(s.table->host_offset(), s.raw);
    }
    file_.sync();
    for (const Snapshot& s : snapshots) {
        s.table->mark_written(s.generation);
    }
    l2_cache_->clear_pressure();
    apply_pending_frees(std::move(frees));
}

void Qcow2Image::apply_pending_frees(std::vector<std::pair<std::uint64_t, std::uint64_t>> frees) {
    for (const auto& [offset, count] : frees) {
        refcounts_->release(offset, count);
    }
}

std::uint64_t Qcow2Image::round_virtual_size(std::uint64_t size) {
    return (size + qcow2::kSectorSize - 1) / qcow2::kSectorSize * qcow2::kSectorSize;
}

void Qcow2Image::resize(std::uint64_t requested_size) {
    require_writable("resize");
    const std::uint64_t new_size = round_virtual_size(requested_size);
    if (new_size < header_.size) {
        throw ImageError(path(), "shrinking from " + std::to_string(header_.size) + " to " +
                                     std::to_string(new_size) + " bytes is not supported");
    }
    if (new_size > qcow2::kMaxVirtualSize) {
        throw ImageError(path(), "virtual size " + std::to_string(new_size) + " is too large");
    }
    flush();
    const std::uint64_t cs = cluster_size();
    const std::uint64_t needed = div_up(new_size, cs * l2_entries());
    if (needed > qcow2::kMaxL1Entries) {
        throw ImageError(
            path(), "virtual size " + std::to_string(new_size) + " needs too large an L1 table");
    }
    std::uint64_t l1_offset = header_.l1_table_offset;
    std::uint64_t l1_size = header_.l1_size;
    const std::uint64_t old_offset = header_.l1_table_offset;
    const std::uint64_t old_clusters = div_up(header_.l1_size * 8, cs);
    if (needed > l1_size) {
        // A new, larger L1 table, durable before the header switches to it.
        const std::uint64_t clusters = div_up(needed * 8, cs);
        l1_size = clusters * cs / 8;
        l1_offset = allocate_clusters(clusters);
        std::vector<std::byte> raw(clusters * cs);
        for (std::uint32_t i = 0; i < header_.l1_size; ++i) {
            store_be64(raw, std::size_t{i} * 8, l1_[i].load(std::memory_order_relaxed));
        }
        file_.write_at(l1_offset, raw);
        file_.sync();
        auto l1 = std::make_unique<std::atomic<std::uint64_t>[]>(l1_size);
        for (std::uint64_t i = 0; i < l1_size; ++i) {
            l1[i].store(i < header_.l1_size ? l1_[i].load(std::memory_order_relaxed) : 0,
                        std::memory_order_relaxed);
        }
        l1_ = std::move(l1);
    }
    // Size, L1 size and L1 offset are bytes 24..47 of the header: one write.
    std::byte fields[24];
    store_be64(fields, 0, new_size);
    store_be32(fields, 8, header_.crypt_method);
    store_be32(fields, 12, static_cast<std::uint32_t>(l1_size));
    store_be64(fields, 16, l1_offset);
    file_.write_at(qcow2::field::kSize, fields);
    file_.sync();
    header_.size = new_size;
    header_.l1_size = static_cast<std::uint32_t>(l1_size);
    header_.l1_table_offset = l1_offset;
    if (l1_offset != old_offset && old_clusters > 0) {
        refcounts_->release(old_offset, old_clusters);
    }
}

}  // namespace tern::dom0::diskimage
