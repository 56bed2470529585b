// The memory_op structures of the guest ABI (hypercall 12) that map pages into a guest's
// physical space, in Xen's spelling.
#pragma once

#include "public/xen.hpp"

namespace tern::pub {

inline constexpr unsigned kMemoryOpIncreaseReservation = 0;
inline constexpr unsigned kMemoryOpDecreaseReservation = 1;
inline constexpr unsigned kMemoryOpPopulatePhysmap = 6;
inline constexpr unsigned kMemoryOpAddToPhysmap = 7;
inline constexpr unsigned kMemoryOpRemoveFromPhysmap = 15;
inline constexpr unsigned kMemoryOpAddToPhysmapBatch = 23;  // Linux: add_to_physmap_range

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

// increase_reservation, decrease_reservation, populate_physmap: nr_extents extents of
// 2^extent_order pages, their frames in the array at extent_start.
struct xen_memory_reservation {
    guest_handle<xen_pfn_t> extent_start;
    xen_ulong_t nr_extents;
    unsigned int extent_order;
    unsigned int mem_flags;
    domid_t domid;
};

// add_to_physmap_batch: `size` pages of `space` (for gmfn_foreign: frames of foreign_domid)
// placed at the caller's frames gpfns[i], with a per-page error in errs[i].
struct xen_add_to_physmap_batch {
    domid_t domid;
    std::uint16_t space;
    std::uint16_t size;
    domid_t foreign_domid;
    guest_handle<xen_ulong_t> idxs;
    guest_handle<xen_pfn_t> gpfns;
    guest_handle<int> errs;
};

struct xen_remove_from_physmap {
    domid_t domid;
    xen_pfn_t gpfn;
};

}  // namespace tern::pub
