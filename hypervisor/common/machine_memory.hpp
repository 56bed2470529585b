// Defines MachineMemory: where the domains dom0 creates get their memory from. Their RAM is
// machine pages handed out zeroed (no domain ever sees another's old data), and the
// hypervisor's own per-domain objects (the Domain, its event channels) live in page-granular
// storage. The image backs it with the PageAllocator; host tests with a fake.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/guest_memory.hpp"
#include "tern/addr.hpp"
#include "tern/status.hpp"

namespace tern::hv {

class MachineMemory {
  public:
    // `count` contiguous zeroed pages whose first address is a multiple of `align_pages`.
    virtual Result<Paddr> allocate_zeroed(std::uint64_t count, std::uint64_t align_pages) = 0;
    // Gives back pages from allocate_zeroed (any sub-range of them).
    virtual void free(Paddr start, std::uint64_t count) = 0;
    // Copies `size` bytes of the calling vCPU's memory at `va` into machine memory at `to`
    // (pages from allocate_zeroed, contiguous); false if `va` cannot be read.
    virtual bool copy_from(GuestMemory& from, std::uint64_t va, Paddr to, std::size_t size) = 0;
    virtual std::uint64_t free_pages() const = 0;
    virtual std::uint64_t total_pages() const = 0;

    // Zeroed storage for a hypervisor object of `bytes` bytes (whole pages).
    virtual Result<void*> allocate_object(std::size_t bytes) = 0;
    virtual void free_object(void* object, std::size_t bytes) = 0;

  protected:
    ~MachineMemory() = default;
};

}  // namespace tern::hv
