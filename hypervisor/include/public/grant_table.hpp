// The grant-table structures of the guest ABI (hypercall 20): v1 entries and the operations
// guests use, in Xen's spelling.
#pragma once

#include "public/xen.hpp"

namespace tern::pub {

inline constexpr unsigned kGnttabOpMapGrantRef = 0;
inline constexpr unsigned kGnttabOpUnmapGrantRef = 1;
inline constexpr unsigned kGnttabOpSetupTable = 2;
inline constexpr unsigned kGnttabOpCopy = 5;
inline constexpr unsigned kGnttabOpQuerySize = 6;
inline constexpr unsigned kGnttabOpSetVersion = 8;
inline constexpr unsigned kGnttabOpGetVersion = 10;

// Flags of a v1 entry.
inline constexpr std::uint16_t kGtfPermitAccess = 1;
inline constexpr std::uint16_t kGtfReadonly = 1u << 2;
inline constexpr std::uint16_t kGtfReading = 1u << 3;
inline constexpr std::uint16_t kGtfWriting = 1u << 4;

// A grant, as the granting domain writes it in its table.
struct grant_entry_v1 {
    std::uint16_t flags;
    domid_t domid;
    std::uint32_t frame;
};

struct gnttab_map_grant_ref {
    std::uint64_t host_addr;
    std::uint32_t flags;
    grant_ref_t ref;
    domid_t dom;
    std::int16_t status;
    grant_handle_t handle;
    std::uint64_t dev_bus_addr;
};

struct gnttab_unmap_grant_ref {
    std::uint64_t host_addr;
    std::uint64_t dev_bus_addr;
    grant_handle_t handle;
    std::int16_t status;
};

struct gnttab_setup_table {
    domid_t dom;
    std::uint32_t nr_frames;
    std::int16_t status;
    guest_handle<xen_pfn_t> frame_list;
};

struct gnttab_query_size {
    domid_t dom;
    std::uint32_t nr_frames;
    std::uint32_t max_nr_frames;
    std::int16_t status;
};

struct gnttab_set_version {
    std::uint32_t version;
};

struct gnttab_get_version {
    domid_t dom;
    std::uint16_t pad;
    std::uint32_t version;
};

// One side of a grant copy: a grant reference or a frame of the caller, and where in it.
struct gnttab_copy_ptr {
    union {
        grant_ref_t ref;
        xen_pfn_t gmfn;
    } u;
    domid_t domid;
    std::uint16_t offset;
};

struct gnttab_copy {
    gnttab_copy_ptr source;
    gnttab_copy_ptr dest;
    std::uint16_t len;
    std::uint16_t flags;
    std::int16_t status;
};

}  // namespace tern::pub
