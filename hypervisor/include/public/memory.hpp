// The memory_op structures of the guest ABI (hypercall 12) that map pages into a guest's
// physical space, in Xen's spelling.
#pragma once

#include "public/xen.hpp"

namespace tern::pub {

inline constexpr unsigned kMemoryOpAddToPhysmap = 7;
inline constexpr unsigned kMemoryOpRemoveFromPhysmap = 15;

inline constexpr unsigned kMapspaceSharedInfo = 0;
inline constexpr unsigned kMapspaceGrantTable = 1;
inline constexpr unsigned kMapspaceGmfnForeign = 4;

struct xen_add_to_physmap {
    domid_t domid;
    std::uint16_t size;
    unsigned int space;
    xen_ulong_t idx;
    xen_pfn_t gpfn;
};

struct xen_remove_from_physmap {
    domid_t domid;
    xen_pfn_t gpfn;
};

}  // namespace tern::pub
