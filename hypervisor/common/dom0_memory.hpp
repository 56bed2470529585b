// Defines Dom0Memory: the memory_op calls with which the control domain gives its own pages
// back (decrease_reservation, which Linux's balloon makes before it maps something else
// there) and shows other domains' pages in its physical space (add_to_physmap_batch with
// XENMAPSPACE_gmfn_foreign, remove_from_physmap), as Linux's privcmd does to let a toolstack
// build a guest or serve its rings. dom0's RAM is mapped 1:1 (frame = machine frame). The
// stage-2 edits go through Stage2Edit so that this logic is host-testable. Grant mappings
// (grant_table_op map_grant_ref / unmap_grant_ref, as Linux's backends and gntdev make them)
// show a page another domain granted to dom0 the same way, under a handle (dom0_grants.cpp). All of
// it runs under the control plane's lock, so that a domain is never destroyed halfway through.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/control_plane.hpp"
#include "common/domain_hypercalls.hpp"
#include "common/foreign_maps.hpp"
#include "common/guest_memory.hpp"
#include "common/machine_memory.hpp"
#include "public/grant_table.hpp"

namespace tern::hv {

enum class MapAccess : std::uint8_t { read_write, read_only };

class Stage2Edit {
  public:
    // Whether `gfn` is one of dom0's RAM frames (mapped or given back).
    virtual bool is_ram_frame(std::uint64_t gfn) const = 0;
    virtual bool is_mapped(std::uint64_t gfn) const = 0;
    // Maps `machine` at `gfn`, writable or (a read-only grant) only readable.
    virtual bool map(std::uint64_t gfn, Paddr machine, MapAccess access) = 0;
    virtual bool unmap(std::uint64_t gfn) = 0;

  protected:
    ~Stage2Edit() = default;
};

class Dom0Memory final : public DomainTeardown, public FrameUsers {
  public:
    Dom0Memory(ControlPlane& control, MachineMemory& machine, Stage2Edit& stage2)
        : control_(control), machine_(machine), stage2_(stage2) {}

    // Each returns what the hypercall returns (extents done, 0, or a negative errno).
    std::int64_t decrease_reservation(GuestMemory& memory, std::uint64_t arg);
    std::int64_t add_to_physmap_batch(GuestMemory& memory, std::uint64_t arg);
    std::int64_t remove_from_physmap(GuestMemory& memory, std::uint64_t arg);

    // grant_table_op map_grant_ref / unmap_grant_ref: `count` structures at `arg`, each with
    // its own status (GNTST_*); the call fails only when it cannot read or write them.
    std::int64_t map_grant_refs(GuestMemory& memory, std::uint64_t arg, std::uint64_t count);
    std::int64_t unmap_grant_refs(GuestMemory& memory, std::uint64_t arg, std::uint64_t count);
    std::size_t grant_maps() const;
    // grant_table_op copy: bytes between pages others granted dom0 and dom0's own frames.
    std::int64_t copy_grants(GuestMemory& memory, std::uint64_t arg, std::uint64_t count);

    // A domain is about to be destroyed: every mapping of its pages leaves dom0.
    void before_destroy(pub::domid_t domain) override;
    // Whether dom0 maps `domain`'s frame `gfn` (a foreign map or a grant it mapped).
    bool holds(const Domain& domain, std::uint64_t gfn) const override;

    const ForeignMaps& maps() const { return maps_; }

  private:
    std::int64_t give_back(std::uint64_t gfn);
    std::int32_t map_one(DomainTable& domains, pub::domid_t foreign, std::uint64_t idx,
                         std::uint64_t gpfn);

    struct GrantMap {
        bool used = false;
        bool readonly = false;
        pub::domid_t domain = 0;
        pub::grant_ref_t ref = 0;
        std::uint64_t local_gfn = 0;
        std::uint64_t frame = 0;  // the granting domain's frame, as its entry said when mapped
    };
    static constexpr std::size_t kMaxGrantMaps = 1024;

    std::int16_t map_grant(DomainTable& domains, pub::gnttab_map_grant_ref& op);
    std::int16_t unmap_grant(DomainTable& domains, const pub::gnttab_unmap_grant_ref& op);
    std::int16_t copy_one(DomainTable& domains, const pub::gnttab_copy& op);
    // The machine page one side of a copy names (a grant, or a frame of dom0's), or a status.
    std::int16_t copy_side(DomainTable& domains, const pub::gnttab_copy_ptr& side, bool gref,
                           bool write, Paddr& page) const;
    // Sets the entry's reading/writing flags to what dom0's mappings of it need now.
    void update_grant_flags(pub::grant_entry_v1& entry, pub::domid_t domain,
                            pub::grant_ref_t ref) const;

    ControlPlane& control_;
    MachineMemory& machine_;
    Stage2Edit& stage2_;
    ForeignMaps maps_;
    std::array<GrantMap, kMaxGrantMaps> grants_{};
};

}  // namespace tern::hv
