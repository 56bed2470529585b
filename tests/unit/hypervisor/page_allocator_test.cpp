// Tests of the page allocator: every page accounted for, alignment, exhaustion, refusals.
#include "common/page_allocator.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace tern::hv {
namespace {

constexpr std::uint64_t kMiB = 1ull << 20;

struct World {
    std::vector<MemoryBank> banks;
    std::vector<std::uint64_t> bitmap;
    PageAllocator alloc;
    World(std::vector<MemoryBank> b, std::vector<PhysRange> reserved) : banks(std::move(b)) {
        bitmap.resize(PageAllocator::bitmap_bytes(banks) / 8 + 1, ~0ull);
        auto a = PageAllocator::create(banks, reserved, bitmap);
        EXPECT_TRUE(a.ok());
        alloc = a.value();
    }
};

TEST(PageAllocator, EveryPageIsFreeReservedOrAllocated) {
    World w({{0x40000000, 64 * kMiB}, {0x80000000, 16 * kMiB}},
            {{Paddr{0x40200000}, 80 * 1024 + 1},  // the image: 21 pages, the last partly
             {Paddr{0x41000000}, 1 * kMiB},       // the device tree
             {Paddr{0x40200000}, 4096},           // overlaps the image: counted once
             {Paddr{0x10000000}, 4096}});         // not RAM: ignored
    EXPECT_EQ(w.alloc.total_pages(), (80 * kMiB) / 4096);
    EXPECT_EQ(w.alloc.reserved_pages(), 21u + 256u);
    EXPECT_EQ(w.alloc.free_pages(), w.alloc.total_pages() - 277u);
    auto p = w.alloc.allocate(10);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(w.alloc.free_pages(), w.alloc.total_pages() - 287u);
    EXPECT_EQ(w.alloc.free(p.value(), 10), Status::ok);
    EXPECT_EQ(w.alloc.free_pages(), w.alloc.total_pages() - 277u);
}

TEST(PageAllocator, AllocationsAvoidReservedPagesAndRespectAlignment) {
    World w({{0x40000000, 8 * kMiB}}, {{Paddr{0x40000000}, 4096 * 3}});
    auto first = w.alloc.allocate(1);
    ASSERT_TRUE(first.ok());
    EXPECT_EQ(first->value, 0x40003000u);
    auto aligned = w.alloc.allocate(512, 512);  // 2 MiB, 2 MiB aligned
    ASSERT_TRUE(aligned.ok());
    EXPECT_EQ(aligned->value % (2 * kMiB), 0u);
    EXPECT_GE(aligned->value, 0x40200000u);
    EXPECT_EQ(w.alloc.allocate(3, 3).status(), Status::invalid_argument);  // not a power of two
    EXPECT_EQ(w.alloc.allocate(0).status(), Status::invalid_argument);
}

TEST(PageAllocator, ExhaustionIsAStatusAndFreeingMakesRoomAgain) {
    World w({{0x40000000, 1 * kMiB}}, {});
    std::vector<Paddr> pages;
    while (true) {
        auto p = w.alloc.allocate(1);
        if (!p.ok()) {
            EXPECT_EQ(p.status(), Status::out_of_memory);
            break;
        }
        pages.push_back(p.value());
    }
    EXPECT_EQ(pages.size(), 256u);
    EXPECT_EQ(w.alloc.free_pages(), 0u);
    EXPECT_EQ(w.alloc.free(pages[7], 1), Status::ok);
    auto again = w.alloc.allocate(1);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->value, pages[7].value);
}

TEST(PageAllocator, BadFreesChangeNothing) {
    World w({{0x40000000, 1 * kMiB}}, {{Paddr{0x40000000}, 4096}});
    auto p = w.alloc.allocate(2);
    ASSERT_TRUE(p.ok());
    const auto before = w.alloc.free_pages();
    EXPECT_EQ(w.alloc.free(Paddr{0x40000000}, 1), Status::invalid_argument);    // reserved
    EXPECT_EQ(w.alloc.free(Paddr{p->value + 1}, 1), Status::invalid_argument);  // unaligned
    EXPECT_EQ(w.alloc.free(Paddr{0x90000000}, 1), Status::invalid_argument);    // not RAM
    EXPECT_EQ(w.alloc.free(Paddr{p->value}, 3), Status::invalid_argument);      // runs past
    EXPECT_EQ(w.alloc.free_pages(), before);
    EXPECT_EQ(w.alloc.free(p.value(), 2), Status::ok);
    EXPECT_EQ(w.alloc.free(p.value(), 2), Status::invalid_argument);  // twice
}

TEST(PageAllocator, ReleasedBootModulesBecomeFreeButSharedPagesStayReserved) {
    World w({{0x40000000, 64 * kMiB}},
            {{Paddr{0x40200000}, 8192},           // the image: 2 pages
             {Paddr{0x41000000}, 3 * 4096 + 10},  // a module: 4 pages, the last shared...
             {Paddr{0x41003800}, 4096}});         // ...with this one (pages 3 and 4)
    const std::uint64_t reserved = w.alloc.reserved_pages();
    EXPECT_EQ(reserved, 2u + 5u);
    auto released = w.alloc.release_reserved({Paddr{0x41000000}, 3 * 4096 + 10});
    ASSERT_TRUE(released.ok());
    EXPECT_EQ(released.value(), 3u);  // page 3 still belongs to the other range
    EXPECT_EQ(w.alloc.reserved_pages(), reserved - 3);
    EXPECT_EQ(w.alloc.free_pages() + w.alloc.reserved_pages(), w.alloc.total_pages());
    // Released once only; an unknown range is refused; freed pages can be allocated.
    EXPECT_EQ(w.alloc.release_reserved({Paddr{0x41000000}, 3 * 4096 + 10}).status(),
              Status::not_found);
    EXPECT_EQ(w.alloc.release_reserved({Paddr{0x41000000}, 4096}).status(), Status::not_found);
    EXPECT_EQ(w.alloc.free(Paddr{0x41000000}, 1), Status::invalid_argument);  // free, not allocated
    EXPECT_EQ(w.alloc.release_reserved({Paddr{0x41003800}, 4096}).value_or(0), 2u);
    EXPECT_EQ(w.alloc.reserved_pages(), 2u);
}

TEST(PageAllocator, RefusesASmallBitmap) {
    std::vector<MemoryBank> banks{{0x40000000, 64 * kMiB}};
    std::vector<std::uint64_t> bitmap(2);
    EXPECT_EQ(PageAllocator::create(banks, {}, bitmap).status(), Status::out_of_range);
}

}  // namespace
}  // namespace tern::hv

namespace tern::hv {
namespace {

TEST(PageAllocator, ScrubbingVisitsOnlyFreePagesAndTheyStayCleanUntilTakenOrFreed) {
    // 16 pages: page 2 reserved, pages 0..1 allocated before any scrubbing.
    World w({{0x40000000, 16 * 4096}}, {{Paddr{0x40002000}, 4096}});
    auto low = w.alloc.allocate(2);
    ASSERT_TRUE(low.ok());
    EXPECT_EQ(low.value().value, 0x40000000u);
    std::uint64_t scrubbed = 0;
    for (;;) {
        const PhysRange r = w.alloc.next_to_scrub(4);
        if (r.size == 0)
            break;
        EXPECT_LE(r.size, 4u * 4096);
        for (std::uint64_t a = r.start.value; a < r.start.value + r.size; a += 4096) {
            EXPECT_NE(a, 0x40000000u);  // allocated
            EXPECT_NE(a, 0x40001000u);
            EXPECT_NE(a, 0x40002000u);  // reserved
        }
        w.alloc.mark_clean(r);
        scrubbed += r.size / 4096;
    }
    EXPECT_EQ(scrubbed, 13u);  // every free page once
    // Handed out: a clean page is taken once; an allocated-before page never was clean.
    auto p = w.alloc.allocate(1);
    ASSERT_TRUE(p.ok());
    EXPECT_TRUE(w.alloc.take_clean(p.value()));
    EXPECT_FALSE(w.alloc.take_clean(p.value()));
    EXPECT_FALSE(w.alloc.take_clean(low.value()));
    // Freed pages held data: not clean, and the scrubber comes back for them.
    EXPECT_EQ(w.alloc.free(low.value(), 2), Status::ok);
    EXPECT_EQ(w.alloc.free(p.value(), 1), Status::ok);
    const PhysRange again = w.alloc.next_to_scrub(8);
    EXPECT_EQ(again.start.value, 0x40000000u);
    EXPECT_EQ(again.size, 2u * 4096);  // pages 0..1; page 2 is reserved
    w.alloc.mark_clean(again);
    const PhysRange last = w.alloc.next_to_scrub(8);
    EXPECT_EQ(last.start.value, p.value().value);
    EXPECT_EQ(last.size, 4096u);
    w.alloc.mark_clean(last);
    EXPECT_EQ(w.alloc.next_to_scrub(8).size, 0u);
    EXPECT_EQ(w.alloc.free_pages(), 15u);  // scrubbing never allocates
}

}  // namespace
}  // namespace tern::hv
