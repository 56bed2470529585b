// Defines DomainMemory: the machine pages one domain owns and the guest frames they back
// (its physical-to-machine map), as extents of contiguous pages. Populating takes zeroed
// pages from MachineMemory in runs as large as it can get (2 MiB aligned when the guest
// frames are, so that stage 2 can use block mappings); releasing gives them back page-exact.
// The domain's page limit is enforced here. A guest's balloon gives pages back one by one, so
// the extents outgrow their first table: more room comes from the machine's object storage.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/guest_layout.hpp"
#include "common/machine_memory.hpp"
#include "tern/addr.hpp"
#include "tern/status.hpp"

namespace tern::hv {

struct MemoryExtent {
    std::uint64_t gfn = 0;  // first guest frame
    Paddr machine;          // its machine page
    std::uint64_t pages = 0;
};

class DomainMemory {
  public:
    static constexpr std::size_t kFirstExtents = 128;  // held in the object itself
    static constexpr std::uint64_t kBlockPages = 512;  // 2 MiB

    explicit DomainMemory(std::uint64_t max_pages) : max_pages_(max_pages) {}
    ~DomainMemory();
    DomainMemory(const DomainMemory&) = delete;
    DomainMemory& operator=(const DomainMemory&) = delete;

    // Backs every frame of `range` with a fresh zeroed page. All or nothing: on failure
    // (not populatable: invalid_argument; a frame already backed: already_exists; over the
    // limit, no machine memory or no extent left: out_of_memory) nothing changed.
    Status populate(GfnRange range, MachineMemory& machine);
    // Gives back the pages backing the frames of `range` (frames not backed are skipped);
    // returns how many pages went back.
    Result<std::uint64_t> release(GfnRange range, MachineMemory& machine);
    // Gives back every page (the domain is being destroyed) and the extents' extra room.
    void release_all(MachineMemory& machine);

    // The machine page of a guest frame, if it is backed.
    std::optional<Paddr> machine_of(std::uint64_t gfn) const;

    std::uint64_t pages() const { return pages_; }
    std::uint64_t max_pages() const { return max_pages_; }
    std::span<const MemoryExtent> extents() const { return {extents_, count_}; }

  private:
    bool overlaps(GfnRange range) const;
    // Room for one more extent (out_of_memory when the machine has none to give).
    Status reserve_one(MachineMemory& machine);
    bool add(MemoryExtent extent);
    void remove_at(std::size_t index);
    void free_room();

    std::uint64_t max_pages_;
    std::uint64_t pages_ = 0;
    std::array<MemoryExtent, kFirstExtents> first_{};
    MemoryExtent* extents_ = first_.data();
    std::size_t capacity_ = kFirstExtents;
    std::size_t count_ = 0;
    MachineMemory* room_owner_ = nullptr;  // set while extents_ is object storage
};

}  // namespace tern::hv
