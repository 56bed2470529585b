// Implements Qcow2Image::check: counts every reference to every host cluster (header, L1 and
// refcount tables, refcount blocks, L2 tables, data, compressed data, internal snapshots) and
// compares the counts with the refcounts; repairs leaks and, in RepairMode::kAll, refcounts
// that are too low.
#include <algorithm>
#include <map>

#include "diskimage/big_endian.hpp"
#include "diskimage/image_error.hpp"
#include "diskimage/qcow2_image.hpp"

namespace tern::dom0::diskimage {
namespace {

std::uint64_t div_up(std::uint64_t a, std::uint64_t b) {
    return (a + b - 1) / b;
}

// Reference counts per host cluster, with messages for references outside the file.
class ReferenceMap {
  public:
    ReferenceMap(std::uint64_t cluster_size, std::uint64_t file_size, CheckResult& result)
        : cluster_size_(cluster_size),
          file_clusters_(div_up(file_size, cluster_size)),
          result_(result) {}

    // Counts one reference to every cluster that [offset, offset + length) touches.
    void add(std::uint64_t offset, std::uint64_t length, const std::string& what) {
        if (length == 0) {
            return;
        }
        const std::uint64_t first = offset / cluster_size_;
        const std::uint64_t last = (offset + length - 1) / cluster_size_;
        for (std::uint64_t c = first; c <= last; ++c) {
            if (c >= file_clusters_) {
                corruption(what + " at cluster " + std::to_string(c) +
                           " lies beyond the end of the file");
                continue;
            }
            ++counts_[c];
        }
    }
    void corruption(const std::string& message) {
        ++result_.corruptions;
        if (result_.messages.size() < 100) {
            result_.messages.push_back("ERROR " + message);
        }
    }
    [[nodiscard]] std::uint64_t count(std::uint64_t cluster) const {
        const auto it = counts_.find(cluster);
        return it == counts_.end() ? 0 : it->second;
    }
    [[nodiscard]] std::uint64_t file_clusters() const { return file_clusters_; }

  private:
    std::uint64_t cluster_size_;
    std::uint64_t file_clusters_;
    CheckResult& result_;
    std::map<std::uint64_t, std::uint64_t> counts_;
};

}  // namespace

CheckResult Qcow2Image::check(RepairMode mode) {
    if (mode != RepairMode::kNone) {
        require_writable("repair");
    }
    flush();
    CheckResult result;
    const std::uint64_t cs = cluster_size();
    const std::uint64_t file_size = file_.size();
    ReferenceMap refs(cs, file_size, result);
    std::vector<std::pair<std::uint64_t, bool>> copied_flags;  // host cluster, flag set

    refs.add(0, cs, "header");
    refs.add(header_.l1_table_offset, header_.l1_size * 8, "L1 table");
    refs.add(refcounts_->table_offset(), refcounts_->table_clusters() * cs, "refcount table");
    const std::vector<std::uint64_t> table = refcounts_->table_entries();
    for (std::size_t i = 0; i < table.size(); ++i) {
        const std::uint64_t offset = table[i] & qcow2::kRefcountTableOffsetMask;
        if (offset == 0) {
            continue;
        }
        if (offset % cs != 0) {
            refs.corruption("refcount block " + std::to_string(i) + " is not cluster aligned");
            continue;
        }
        refs.add(offset, cs, "refcount block " + std::to_string(i));
    }

    // Walks one L1 table; `active` is the image's own (whose COPIED flags are checked).
    auto walk_l1 = [&](std::uint64_t l1_offset, std::uint64_t l1_size, bool active) {
        std::vector<std::byte> l1(l1_size * 8);
        file_.read_at(l1_offset, l1);
        std::vector<std::byte> l2(cs);
        for (std::uint64_t i = 0; i < l1_size; ++i) {
            const std::uint64_t l1_entry = load_be64(l1, i * 8);
            const std::uint64_t l2_offset = l1_entry & qcow2::kOffsetMask;
            if (l2_offset == 0) {
                continue;
            }
            if (l2_offset % cs != 0) {
                refs.corruption("L2 table of L1 entry " + std::to_string(i) +
                                " is not cluster aligned");
                continue;
            }
            if (l2_offset >= file_size) {
                refs.corruption("L2 table of L1 entry " + std::to_string(i) +
                                " lies beyond the end of the file");
                continue;
            }
            refs.add(l2_offset, cs, "L2 table");
            if (active) {
                copied_flags.emplace_back(l2_offset / cs, (l1_entry & qcow2::kOflagCopied) != 0);
            }
            file_.read_at(l2_offset, l2);
            for (std::uint64_t j = 0; j < cs / 8; ++j) {
                const std::uint64_t raw = load_be64(l2, j * 8);
                const qcow2::L2Entry e =
                    qcow2::decode_l2_entry(raw, header_.cluster_bits, header_.version);
                const std::string where = "guest cluster " + std::to_string(i * (cs / 8) + j);
                if (e.kind == qcow2::ClusterKind::kCompressed) {
                    refs.add(e.host_offset, e.compressed_bytes, "compressed data of " + where);
                    if (active) {
                        ++result.allocated_clusters;
                    }
                    continue;
                }
                if (e.host_offset == 0) {
                    continue;
                }
                if (e.host_offset % cs != 0) {
                    refs.corruption("data of " + where + " is not cluster aligned");
                    continue;
                }
                refs.add(e.host_offset, cs, "data of " + where);
                if (active) {
                    copied_flags.emplace_back(e.host_offset / cs, e.copied);
                    if (e.kind == qcow2::ClusterKind::kNormal) {
                        ++result.allocated_clusters;
                    }
                }
            }
        }
    };
    walk_l1(header_.l1_table_offset, header_.l1_size, true);

    // Internal snapshots: the table, and each snapshot's L1 table and what it reaches.
    std::uint64_t position = header_.snapshots_offset;
    for (std::uint32_t s = 0; s < header_.nb_snapshots; ++s) {
        if (position >= file_size) {
            refs.corruption("snapshot table lies beyond the end of the file");
            break;
        }
        std::vector<std::byte> fixed(40);
        file_.read_at(position, fixed);
        const std::uint64_t l1_offset = load_be64(fixed, 0);
        const std::uint32_t l1_size = load_be32(fixed, 8);
        const std::uint16_t id_size = load_be16(fixed, 12);
        const std::uint16_t name_size = load_be16(fixed, 14);
        const std::uint32_t extra_size = load_be32(fixed, 36);
        const std::uint64_t entry_size =
            (40 + std::uint64_t{extra_size} + id_size + name_size + 7) / 8 * 8;
        refs.add(position, entry_size, "snapshot table");
        if (l1_offset % cs != 0 || l1_size > qcow2::kMaxL1Entries ||
            l1_offset + std::uint64_t{l1_size} * 8 > file_size) {
            refs.corruption("snapshot " + std::to_string(s) + " has an invalid L1 table");
        } else {
            refs.add(l1_offset, std::uint64_t{l1_size} * 8, "snapshot L1 table");
            walk_l1(l1_offset, l1_size, false);
        }
        position += entry_size;
    }

    // Compare. Every cluster of the file, and beyond it every cluster with a refcount.
    std::uint64_t end = refs.file_clusters();
    const std::uint64_t covered = refcounts_->covered_clusters();
    std::uint64_t last_used = 0;
    for (std::uint64_t c = 0; c < std::max(end, std::min(covered, end + 4096)); ++c) {
        const std::uint64_t refcount = refcounts_->refcount(c);
        const std::uint64_t expected = refs.count(c);
        if (refcount != 0 || expected != 0) {
            last_used = c;
        }
        if (refcount == expected) {
            continue;
        }
        if (refcount > expected) {
            ++result.leaks;
            if (mode != RepairMode::kNone) {
                refcounts_->set_refcount(c, expected);
                ++result.leaks_fixed;
            }
        } else {
            refs.corruption("cluster " + std::to_string(c) + " has refcount " +
                            std::to_string(refcount) + " but " + std::to_string(expected) +
                            " references");
            if (mode == RepairMode::kAll) {
                refcounts_->set_refcount(c, expected);
                ++result.corruptions_fixed;
            }
        }
    }
    for (const auto& [cluster, flag] : copied_flags) {
        const bool should = refs.count(cluster) == 1;
        if (flag != should) {
            refs.corruption("cluster " + std::to_string(cluster) + " has the COPIED flag " +
                            (flag ? "set" : "clear") + " but " +
                            std::to_string(refs.count(cluster)) + " references");
        }
    }
    if (mode != RepairMode::kNone) {
        file_.sync();
    }
    result.total_clusters = div_up(header_.size, cs);
    result.image_end_offset = (last_used + 1) * cs;
    return result;
}

}  // namespace tern::dom0::diskimage
