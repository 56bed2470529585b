#include "common/page_allocator_memory.hpp"

#include <cstdint>

#include "tern/arch/mmu.hpp"

namespace tern::hv {

namespace {

void zero_pages(Paddr start, std::uint64_t count) {
    arch::zero_memory(reinterpret_cast<void*>(start.value), count * kPageSize);
}

}  // namespace

Result<Paddr> PageAllocatorMemory::allocate_zeroed(std::uint64_t count, std::uint64_t align_pages) {
    lib::LockGuard guard(lock_);
    Result<Paddr> got = pages_.allocate(count, align_pages);
    if (!got.ok())
        return got;
    // Runs of pages not scrubbed yet are zeroed now; the clean ones already are.
    std::uint64_t run = 0;
    for (std::uint64_t i = 0; i <= count; ++i) {
        const Paddr page{got.value().value + i * kPageSize};
        if (i < count && !pages_.take_clean(page)) {
            ++run;
            continue;
        }
        if (run != 0)
            zero_pages(Paddr{page.value - run * kPageSize}, run);
        run = 0;
    }
    return got;
}

bool PageAllocatorMemory::scrub_some(std::uint64_t max_pages) {
    lib::LockGuard guard(lock_);
    const PhysRange dirty = pages_.next_to_scrub(max_pages);
    if (dirty.size == 0)
        return false;
    zero_pages(dirty.start, dirty.size >> kPageShift);
    pages_.mark_clean(dirty);
    return true;
}

void PageAllocatorMemory::free(Paddr start, std::uint64_t count) {
    lib::LockGuard guard(lock_);
    (void)pages_.free(start, count);
}

bool PageAllocatorMemory::copy_from(GuestMemory& from, std::uint64_t va, Paddr to,
                                    std::size_t size) {
    return from.read(va, reinterpret_cast<void*>(to.value), size);  // the identity map
}

std::uint64_t PageAllocatorMemory::free_pages() const {
    lib::LockGuard guard(lock_);
    return pages_.free_pages();
}

std::uint64_t PageAllocatorMemory::total_pages() const {
    return pages_.total_pages();
}

Result<void*> PageAllocatorMemory::allocate_object(std::size_t bytes) {
    auto got = allocate_zeroed(pages_for(bytes), 1);
    if (!got.ok())
        return got.status();
    return reinterpret_cast<void*>(got->value);
}

void PageAllocatorMemory::free_object(void* object, std::size_t bytes) {
    free(Paddr{reinterpret_cast<std::uintptr_t>(object)}, pages_for(bytes));
}

}  // namespace tern::hv
