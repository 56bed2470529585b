// Defines PageAllocatorMemory: MachineMemory over the hypervisor's PageAllocator, for the
// image. Pages are zeroed through the identity map at EL2 (except those idle CPUs zeroed
// already); a lock makes the allocator safe to call from every physical CPU.
#pragma once

#include "common/machine_memory.hpp"
#include "common/page_allocator.hpp"
#include "lib/spinlock.hpp"

namespace tern::hv {

class PageAllocatorMemory final : public MachineMemory {
  public:
    explicit PageAllocatorMemory(PageAllocator& pages) : pages_(pages) {}

    Result<Paddr> allocate_zeroed(std::uint64_t count, std::uint64_t align_pages) override;
    void free(Paddr start, std::uint64_t count) override;
    bool copy_from(GuestMemory& from, std::uint64_t va, Paddr to, std::size_t size) override;
    // Zeroes up to `max_pages` free pages that are not known to be zero and marks them clean
    // (an idle CPU's work); false once every free page is clean.
    bool scrub_some(std::uint64_t max_pages);
    std::uint64_t free_pages() const override;
    std::uint64_t total_pages() const override;
    Result<void*> allocate_object(std::size_t bytes) override;
    void free_object(void* object, std::size_t bytes) override;

  private:
    PageAllocator& pages_;
    mutable lib::SpinLock lock_;
};

}  // namespace tern::hv
