// Defines Dom0Memory: the memory_op calls with which the control domain gives its own pages
// back (decrease_reservation, which Linux's balloon makes before it maps something else
// there) and shows other domains' pages in its physical space (add_to_physmap_batch with
// XENMAPSPACE_gmfn_foreign, remove_from_physmap), as Linux's privcmd does to let a toolstack
// build a guest or serve its rings. dom0's RAM is mapped 1:1 (frame = machine frame). The
// stage-2 edits go through Stage2Edit so that this logic is host-testable. All of it runs
// under the control plane's lock, so that a domain is never destroyed halfway through.
#pragma once

#include <cstdint>

#include "common/control_plane.hpp"
#include "common/foreign_maps.hpp"
#include "common/guest_memory.hpp"
#include "common/machine_memory.hpp"

namespace tern::hv {

class Stage2Edit {
  public:
    // Whether `gfn` is one of dom0's RAM frames (mapped or given back).
    virtual bool is_ram_frame(std::uint64_t gfn) const = 0;
    virtual bool is_mapped(std::uint64_t gfn) const = 0;
    virtual bool map(std::uint64_t gfn, Paddr machine) = 0;
    virtual bool unmap(std::uint64_t gfn) = 0;

  protected:
    ~Stage2Edit() = default;
};

class Dom0Memory final : public DomainTeardown {
  public:
    Dom0Memory(ControlPlane& control, MachineMemory& machine, Stage2Edit& stage2)
        : control_(control), machine_(machine), stage2_(stage2) {}

    // Each returns what the hypercall returns (extents done, 0, or a negative errno).
    std::int64_t decrease_reservation(GuestMemory& memory, std::uint64_t arg);
    std::int64_t add_to_physmap_batch(GuestMemory& memory, std::uint64_t arg);
    std::int64_t remove_from_physmap(GuestMemory& memory, std::uint64_t arg);

    // A domain is about to be destroyed: every mapping of its pages leaves dom0.
    void before_destroy(pub::domid_t domain) override;

    const ForeignMaps& maps() const { return maps_; }

  private:
    std::int64_t give_back(std::uint64_t gfn);
    std::int32_t map_one(DomainTable& domains, pub::domid_t foreign, std::uint64_t idx,
                         std::uint64_t gpfn);

    ControlPlane& control_;
    MachineMemory& machine_;
    Stage2Edit& stage2_;
    ForeignMaps maps_;
};

}  // namespace tern::hv
