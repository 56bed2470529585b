// Defines PageAllocator: the machine's physical pages, one bit each, over the RAM banks of the
// device tree minus the reserved ranges (the image, the device tree, the boot modules, the
// bitmap itself). Every page of RAM is either free, allocated or reserved, and the counts say
// which.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "common/boot_info.hpp"
#include "tern/addr.hpp"
#include "tern/status.hpp"

namespace tern::hv {

struct PhysRange {
    Paddr start;
    std::uint64_t size = 0;
};

class PageAllocator {
  public:
    static constexpr std::size_t kMaxBanks = BootInfo::kMaxBanks;
    static constexpr std::size_t kMaxReserved = 16;

    // Bytes of bitmap needed for these banks (a bit a page for "used", one for "clean").
    static std::uint64_t bitmap_bytes(std::span<const MemoryBank> banks);

    // Every page of `banks` starts free except those touched by `reserved` (whole pages:
    // a partly reserved page is reserved). `bitmap` must hold bitmap_bytes(banks) bytes.
    static Result<PageAllocator> create(std::span<const MemoryBank> banks,
                                        std::span<const PhysRange> reserved,
                                        std::span<std::uint64_t> bitmap);

    // `count` contiguous free pages whose first address is a multiple of `align_pages` pages.
    Result<Paddr> allocate(std::uint64_t count, std::uint64_t align_pages = 1);
    // Gives back pages from allocate(); freeing a page that is free, reserved or not RAM is
    // refused and changes nothing.
    Status free(Paddr start, std::uint64_t count);
    // Gives a reserved range (exactly as it was reserved) to the allocator once its contents
    // are no longer needed (boot modules copied into dom0); pages it shares with another
    // reserved range stay reserved. Returns how many pages became free.
    Result<std::uint64_t> release_reserved(PhysRange range);

    // Clean pages: free pages known to hold only zeros (scrubbed while the machine was idle,
    // as Xen's bootscrub=idle does), which need not be zeroed again when handed out. A page
    // is clean from mark_clean() until it is allocated and taken, or freed.
    //
    // The next run of free pages that are not clean, at most `max_pages` long, from where the
    // last search ended (size 0: every free page is clean).
    PhysRange next_to_scrub(std::uint64_t max_pages);
    // `range` (from next_to_scrub, zeroed since, nothing allocated meanwhile) is clean.
    void mark_clean(PhysRange range);
    // Whether the page at `page` was clean; it is not any more (it is being handed out).
    bool take_clean(Paddr page);

    std::uint64_t total_pages() const { return total_; }
    std::uint64_t free_pages() const { return free_; }
    std::uint64_t reserved_pages() const { return reserved_; }

    PageAllocator() = default;

  private:
    struct Bank {
        std::uint64_t first_frame = 0;
        std::uint64_t frames = 0;
        std::uint64_t bit_offset = 0;  // where its bits start in the bitmap
    };
    bool used(std::uint64_t bit) const { return (bits_[bit / 64] >> (bit % 64)) & 1u; }
    void set(std::uint64_t bit, bool value);
    bool clean(std::uint64_t bit) const { return (clean_[bit / 64] >> (bit % 64)) & 1u; }
    void set_clean(std::uint64_t bit, bool value);
    // The bank and bit of a frame, if it is RAM.
    bool locate(std::uint64_t frame, std::size_t& bank, std::uint64_t& bit) const;

    Bank banks_[kMaxBanks]{};
    std::size_t bank_count_ = 0;
    std::uint64_t* bits_ = nullptr;
    std::uint64_t* clean_ = nullptr;  // the bitmap's second half
    std::uint64_t scrub_cursor_ = 0;  // the bit next_to_scrub looks at first
    std::uint64_t total_ = 0;
    std::uint64_t free_ = 0;
    std::uint64_t reserved_ = 0;
    std::uint64_t allocated_ = 0;  // total = free + reserved + allocated
    PhysRange reserved_ranges_[kMaxReserved]{};
    std::size_t reserved_count_ = 0;
    bool is_reserved(std::uint64_t frame) const;
};

}  // namespace tern::hv
