// Defines GrantTable: a domain's grant table, version 1 (../shared/reference/xen-arm-abi.md
// §5): its frames, hypervisor pages the guest places in its own address space with
// add_to_physmap(XENMAPSPACE_grant_table, idx) (asking for frame idx grows the table to
// idx + 1 frames, up to kMaxFrames), and the operations of grant_table_op that describe it:
// query_size, set_version and get_version. Mapping and copying other domains' grants come
// with other domains.
#pragma once

#include <array>
#include <cstdint>

#include "common/guest_memory.hpp"
#include "common/machine_memory.hpp"
#include "public/grant_table.hpp"
#include "tern/status.hpp"

namespace tern::hv {

class GrantTable {
  public:
    static constexpr std::uint32_t kMaxFrames = 64;  // what Xen 4.17 gives dom0 by default
    static constexpr std::uint32_t kInitialFrames = 1;

    // Where frames come from: a zeroed page's machine address, or 0 when there is none.
    using PageSource = std::uint64_t (*)();

    constexpr explicit GrantTable(pub::domid_t self, std::uint32_t max_frames = kMaxFrames)
        : self_(self), max_frames_(max_frames < kMaxFrames ? max_frames : kMaxFrames) {}

    std::uint32_t nr_frames() const { return nr_frames_; }
    // The machine page of frame `idx`, made (and the table grown to it) on first use.
    Result<std::uint64_t> frame(std::uint32_t idx, PageSource make_page);
    // The same, with frames from `machine`; release_frames() gives them back.
    Result<std::uint64_t> frame(std::uint32_t idx, MachineMemory& machine);
    void release_frames(MachineMemory& machine);

    // The v1 entry of grant `ref` as the domain wrote it (in a frame it has placed), or null.
    pub::grant_entry_v1* entry(pub::grant_ref_t ref) const;

    // grant_table_op(cmd, arg, count) for this domain: `count` structures at `arg`.
    std::int64_t op(GuestMemory& memory, std::uint64_t cmd, std::uint64_t arg, std::uint64_t count);

  private:
    pub::domid_t self_;
    std::uint32_t max_frames_;
    std::uint32_t nr_frames_ = kInitialFrames;
    std::array<std::uint64_t, kMaxFrames> frames_{};
};

}  // namespace tern::hv
