// Defines ForeignMapping: pages of another domain mapped into this process (Linux's privcmd
// IOCTL_PRIVCMD_MMAPBATCH_V2 over an mmap of /dev/xen/privcmd; the hypervisor's
// add_to_physmap_batch with XENMAPSPACE_gmfn_foreign underneath). The mapping is undone when
// the object goes. Used by the domain builder (loading a kernel), the console daemon and
// xenstored (rings), and tern-ctl's peek and poke.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "dom0/control/privcmd.hpp"

namespace tern::dom0 {

class ForeignMapping {
  public:
    // Maps frames `gfns` of `domain`, in that order, as one contiguous range. Throws
    // ControlError when the range cannot be made or any frame cannot be mapped (the first
    // frame's error is reported).
    ForeignMapping(Privcmd& privcmd, std::uint32_t domain, std::span<const std::uint64_t> gfns);
    ~ForeignMapping();
    ForeignMapping(const ForeignMapping&) = delete;
    ForeignMapping& operator=(const ForeignMapping&) = delete;

    std::uint8_t* data() { return static_cast<std::uint8_t*>(address_); }
    std::size_t size() const { return size_; }

  private:
    void* address_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace tern::dom0
