// The page allocator: a bitmap, first fit.
#include "common/page_allocator.hpp"

namespace tern::hv {

std::uint64_t PageAllocator::bitmap_bytes(std::span<const MemoryBank> banks) {
    std::uint64_t bits = 0;
    for (const MemoryBank& b : banks)
        bits += b.size >> kPageShift;
    return (bits + 63) / 64 * 8 * 2;
}

void PageAllocator::set(std::uint64_t bit, bool value) {
    const std::uint64_t mask = std::uint64_t{1} << (bit % 64);
    if (value) {
        bits_[bit / 64] |= mask;
    } else {
        bits_[bit / 64] &= ~mask;
    }
}

void PageAllocator::set_clean(std::uint64_t bit, bool value) {
    const std::uint64_t mask = std::uint64_t{1} << (bit % 64);
    if (value) {
        clean_[bit / 64] |= mask;
    } else {
        clean_[bit / 64] &= ~mask;
    }
}

bool PageAllocator::locate(std::uint64_t frame, std::size_t& bank, std::uint64_t& bit) const {
    for (std::size_t i = 0; i < bank_count_; ++i) {
        const Bank& b = banks_[i];
        if (frame >= b.first_frame && frame - b.first_frame < b.frames) {
            bank = i;
            bit = b.bit_offset + (frame - b.first_frame);
            return true;
        }
    }
    return false;
}

Result<PageAllocator> PageAllocator::create(std::span<const MemoryBank> banks,
                                            std::span<const PhysRange> reserved,
                                            std::span<std::uint64_t> bitmap) {
    if (banks.empty() || banks.size() > kMaxBanks || reserved.size() > kMaxReserved) {
        return Status::invalid_argument;
    }
    if (bitmap.size() * 8 < bitmap_bytes(banks))
        return Status::out_of_range;
    PageAllocator a;
    a.bits_ = bitmap.data();
    const std::uint64_t half = bitmap_bytes(banks) / 8 / 2;
    a.clean_ = bitmap.data() + half;
    for (std::uint64_t i = 0; i < half; ++i)
        a.clean_[i] = 0;
    std::uint64_t offset = 0;
    for (const MemoryBank& b : banks) {
        // Whole pages inside the bank only.
        const std::uint64_t first = pages_for(b.base);
        const std::uint64_t end = (b.base + b.size) >> kPageShift;
        if (end <= first)
            continue;
        a.banks_[a.bank_count_++] = Bank{first, end - first, offset};
        offset += end - first;
    }
    a.total_ = offset;
    for (std::uint64_t i = 0; i < (offset + 63) / 64; ++i)
        bitmap[i] = 0;
    a.free_ = offset;
    for (const PhysRange& r : reserved) {
        if (r.size == 0)
            continue;
        a.reserved_ranges_[a.reserved_count_++] = r;
        const std::uint64_t first = r.start.value >> kPageShift;
        const std::uint64_t last = (r.start.value + r.size - 1) >> kPageShift;
        for (std::uint64_t frame = first; frame <= last; ++frame) {
            std::size_t bank = 0;
            std::uint64_t bit = 0;
            if (a.locate(frame, bank, bit) && !a.used(bit)) {
                a.set(bit, true);
                --a.free_;
                ++a.reserved_;
            }
        }
    }
    return a;
}

Result<Paddr> PageAllocator::allocate(std::uint64_t count, std::uint64_t align_pages) {
    if (count == 0 || align_pages == 0 || (align_pages & (align_pages - 1)) != 0) {
        return Status::invalid_argument;
    }
    if (count > free_)
        return Status::out_of_memory;
    for (std::size_t i = 0; i < bank_count_; ++i) {
        const Bank& b = banks_[i];
        std::uint64_t frame = (b.first_frame + align_pages - 1) & ~(align_pages - 1);
        while (frame + count <= b.first_frame + b.frames) {
            std::uint64_t run = 0;
            while (run < count && !used(b.bit_offset + frame - b.first_frame + run))
                ++run;
            if (run == count) {
                for (std::uint64_t k = 0; k < count; ++k)
                    set(b.bit_offset + frame - b.first_frame + k, true);
                free_ -= count;
                allocated_ += count;
                return to_paddr(Mfn{frame});
            }
            // Skip past the used page, keeping the alignment.
            frame = (frame + run + 1 + align_pages - 1) & ~(align_pages - 1);
        }
    }
    return Status::out_of_memory;
}

bool PageAllocator::is_reserved(std::uint64_t frame) const {
    for (std::size_t i = 0; i < reserved_count_; ++i) {
        const PhysRange& r = reserved_ranges_[i];
        const std::uint64_t first = r.start.value >> kPageShift;
        const std::uint64_t last = (r.start.value + r.size - 1) >> kPageShift;
        if (frame >= first && frame <= last)
            return true;
    }
    return false;
}

Status PageAllocator::free(Paddr start, std::uint64_t count) {
    if ((start.value & (kPageSize - 1)) != 0 || count == 0 || count > allocated_) {
        return Status::invalid_argument;
    }
    const std::uint64_t first = start.value >> kPageShift;
    // Check the whole run first, so that a bad call changes nothing.
    for (std::uint64_t k = 0; k < count; ++k) {
        std::size_t bank = 0;
        std::uint64_t bit = 0;
        if (!locate(first + k, bank, bit) || !used(bit) || is_reserved(first + k)) {
            return Status::invalid_argument;
        }
    }
    for (std::uint64_t k = 0; k < count; ++k) {
        std::size_t bank = 0;
        std::uint64_t bit = 0;
        locate(first + k, bank, bit);
        set(bit, false);
        set_clean(bit, false);  // it held someone's data
        if (bit < scrub_cursor_)
            scrub_cursor_ = bit;
    }
    free_ += count;
    allocated_ -= count;
    return Status::ok;
}

PhysRange PageAllocator::next_to_scrub(std::uint64_t max_pages) {
    for (std::size_t i = 0; i < bank_count_; ++i) {
        const Bank& b = banks_[i];
        if (scrub_cursor_ >= b.bit_offset + b.frames)
            continue;
        std::uint64_t bit = scrub_cursor_ > b.bit_offset ? scrub_cursor_ : b.bit_offset;
        while (bit < b.bit_offset + b.frames && (used(bit) || clean(bit)))
            ++bit;
        scrub_cursor_ = bit;
        if (bit == b.bit_offset + b.frames)
            continue;
        std::uint64_t run = 0;
        while (run < max_pages && bit + run < b.bit_offset + b.frames && !used(bit + run) &&
               !clean(bit + run))
            ++run;
        return {to_paddr(Mfn{b.first_frame + (bit - b.bit_offset)}), run << kPageShift};
    }
    return {};
}

void PageAllocator::mark_clean(PhysRange range) {
    const std::uint64_t first = range.start.value >> kPageShift;
    for (std::uint64_t k = 0; k < (range.size >> kPageShift); ++k) {
        std::size_t bank = 0;
        std::uint64_t bit = 0;
        if (locate(first + k, bank, bit) && !used(bit))
            set_clean(bit, true);
    }
}

bool PageAllocator::take_clean(Paddr page) {
    std::size_t bank = 0;
    std::uint64_t bit = 0;
    if (!locate(page.value >> kPageShift, bank, bit) || !clean(bit))
        return false;
    set_clean(bit, false);
    return true;
}

Result<std::uint64_t> PageAllocator::release_reserved(PhysRange range) {
    std::size_t index = reserved_count_;
    for (std::size_t i = 0; i < reserved_count_; ++i) {
        if (reserved_ranges_[i].start.value == range.start.value &&
            reserved_ranges_[i].size == range.size)
            index = i;
    }
    if (index == reserved_count_ || range.size == 0)
        return Status::not_found;
    for (std::size_t i = index + 1; i < reserved_count_; ++i)
        reserved_ranges_[i - 1] = reserved_ranges_[i];
    --reserved_count_;
    const std::uint64_t first = range.start.value >> kPageShift;
    const std::uint64_t last = (range.start.value + range.size - 1) >> kPageShift;
    std::uint64_t released = 0;
    for (std::uint64_t frame = first; frame <= last; ++frame) {
        std::size_t bank = 0;
        std::uint64_t bit = 0;
        if (!locate(frame, bank, bit) || !used(bit) || is_reserved(frame))
            continue;
        set(bit, false);
        if (bit < scrub_cursor_)
            scrub_cursor_ = bit;  // to be scrubbed: it held a boot module
        ++released;
    }
    reserved_ -= released;
    free_ += released;
    return released;
}

}  // namespace tern::hv
