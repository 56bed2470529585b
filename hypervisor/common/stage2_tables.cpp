#include "common/stage2_tables.hpp"

namespace tern::hv {

namespace {

constexpr std::uint64_t kEntries = 512;
constexpr std::uint64_t kAddressMask = 0x0000fffffffff000ull;
constexpr std::uint64_t kValid = 1;
constexpr std::uint64_t kTable = 3;  // at levels 1 and 2; a page at level 3
constexpr std::uint64_t kBlockDescriptor = 1;
// Stage-2 attributes: MemAttr[5:2] (0b1111 normal write-back, 0b0001 Device-nGnRE),
// S2AP[7:6] = 0b11 read/write, SH[9:8] inner shareable (normal), AF[10], XN[54] (device).
constexpr std::uint64_t kNormal = (0xfull << 2) | (3ull << 6) | (3ull << 8) | (1ull << 10);
constexpr std::uint64_t kDevice = (0x1ull << 2) | (3ull << 6) | (1ull << 10) | (1ull << 54);

// Bytes one entry covers at a level (1: 1 GiB, 2: 2 MiB, 3: 4 KiB).
constexpr std::uint64_t span_of(unsigned level) {
    return 1ull << (12 + 9 * (3 - level));
}
constexpr std::uint64_t index_of(std::uint64_t ipa, unsigned level) {
    return (ipa / span_of(level)) % kEntries;
}
std::uint64_t* table_at(std::uint64_t entry) {
    return reinterpret_cast<std::uint64_t*>(entry & kAddressMask);
}

}  // namespace

Stage2Tables::~Stage2Tables() {
    if (root_ != nullptr)
        free_level(root_, 1);
}

void Stage2Tables::free_level(std::uint64_t* table, unsigned level) {
    if (level < 3) {
        for (std::uint64_t i = 0; i < kEntries; ++i) {
            if ((table[i] & 3) == kTable)
                free_level(table_at(table[i]), level + 1);
        }
    }
    tables_.free_table(table);
    --tables_in_use_;
}

std::uint64_t* Stage2Tables::root() {
    if (root_ == nullptr) {
        root_ = tables_.allocate_table();
        if (root_ != nullptr)
            ++tables_in_use_;
    }
    return root_;
}

std::uint64_t* Stage2Tables::next_level(std::uint64_t& entry, unsigned level, bool create) {
    if ((entry & 3) == kTable)
        return table_at(entry);
    if (!create)
        return nullptr;
    std::uint64_t* table = tables_.allocate_table();
    if (table == nullptr)
        return nullptr;
    ++tables_in_use_;
    if ((entry & 3) == kBlockDescriptor) {
        // A block becomes the same mapping one level down.
        const std::uint64_t base = entry & kAddressMask & ~(span_of(level) - 1);
        const std::uint64_t attrs = entry & ~kAddressMask & ~3ull;
        const std::uint64_t type = level + 1 == 3 ? kTable : kBlockDescriptor;
        for (std::uint64_t i = 0; i < kEntries; ++i)
            table[i] = (base + i * span_of(level + 1)) | attrs | type;
    }
    entry = reinterpret_cast<std::uintptr_t>(table) | kTable;
    return table;
}

bool Stage2Tables::is_free(std::uint64_t ipa, std::uint64_t size) const {
    for (std::uint64_t a = ipa; a < ipa + size;) {
        const std::uint64_t* table = root_;
        unsigned level = 1;
        bool mapped = false;
        std::uint64_t step = span_of(3);
        while (table != nullptr) {
            const std::uint64_t entry = table[index_of(a, level)];
            if ((entry & kValid) == 0) {
                step = span_of(level) - a % span_of(level);
                break;
            }
            if (level == 3 || (entry & 3) == kBlockDescriptor) {
                mapped = true;
                break;
            }
            table = table_at(entry);
            ++level;
        }
        if (table == nullptr)
            return true;  // nothing mapped at all
        if (mapped)
            return false;
        a += step;
    }
    return true;
}

Status Stage2Tables::map(std::uint64_t ipa, Paddr pa, std::uint64_t size, Stage2Memory kind) {
    const std::uint64_t limit = 1ull << kIpaBits;
    if (size == 0 || ipa % kPageSize != 0 || pa.value % kPageSize != 0 || size % kPageSize != 0 ||
        ipa >= limit || size > limit - ipa || (pa.value & ~kAddressMask) != 0)
        return Status::invalid_argument;
    if (!is_free(ipa, size))
        return Status::already_exists;
    const std::uint64_t attrs = kind == Stage2Memory::normal ? kNormal : kDevice;
    std::uint64_t done = 0;
    while (done < size) {
        const std::uint64_t a = ipa + done;
        const std::uint64_t p = pa.value + done;
        const bool block = granule_ == Stage2Granule::blocks && a % kBlock == 0 &&
                           p % kBlock == 0 && size - done >= kBlock;
        std::uint64_t* l1 = root();
        if (l1 == nullptr)
            return Status::out_of_memory;
        std::uint64_t* l2 = next_level(l1[index_of(a, 1)], 1, true);
        if (l2 == nullptr)
            return Status::out_of_memory;
        if (block) {
            l2[index_of(a, 2)] = p | attrs | kBlockDescriptor;
            done += kBlock;
            continue;
        }
        std::uint64_t* l3 = next_level(l2[index_of(a, 2)], 2, true);
        if (l3 == nullptr)
            return Status::out_of_memory;
        l3[index_of(a, 3)] = p | attrs | kTable;
        done += kPageSize;
    }
    return Status::ok;
}

Status Stage2Tables::unmap(std::uint64_t ipa, std::uint64_t size) {
    if (ipa % kPageSize != 0 || size % kPageSize != 0)
        return Status::invalid_argument;
    std::uint64_t a = ipa;
    while (a < ipa + size && root_ != nullptr) {
        std::uint64_t& e1 = root_[index_of(a, 1)];
        if ((e1 & kValid) == 0) {
            a += span_of(1) - a % span_of(1);
            continue;
        }
        std::uint64_t* l2 = table_at(e1);
        std::uint64_t& e2 = l2[index_of(a, 2)];
        if ((e2 & kValid) == 0) {
            a += span_of(2) - a % span_of(2);
            continue;
        }
        if ((e2 & 3) == kBlockDescriptor && a % kBlock == 0 && ipa + size - a >= kBlock) {
            e2 = 0;  // the whole block goes
            a += kBlock;
            continue;
        }
        std::uint64_t* l3 = next_level(e2, 2, true);  // splits a block that is cut
        if (l3 == nullptr)
            return Status::out_of_memory;
        l3[index_of(a, 3)] = 0;
        a += kPageSize;
    }
    return Status::ok;
}

std::optional<Paddr> Stage2Tables::translate(std::uint64_t ipa) const {
    if (root_ == nullptr || ipa >= (1ull << kIpaBits))
        return std::nullopt;
    const std::uint64_t* table = root_;
    for (unsigned level = 1; level <= 3; ++level) {
        const std::uint64_t entry = table[index_of(ipa, level)];
        if ((entry & kValid) == 0)
            return std::nullopt;
        if (level == 3 || (entry & 3) == kBlockDescriptor) {
            const std::uint64_t span = span_of(level);
            return Paddr{(entry & kAddressMask & ~(span - 1)) + ipa % span};
        }
        table = table_at(entry);
    }
    return std::nullopt;
}

std::uint64_t Stage2Tables::vttbr() const {
    return reinterpret_cast<std::uintptr_t>(root_) | (std::uint64_t{vmid_} << 48);
}

}  // namespace tern::hv
