// Defines ForeignMaps: the pages of other domains that the control domain has mapped into
// its own physical space (memory_op add_to_physmap_batch with XENMAPSPACE_gmfn_foreign, which
// Linux's privcmd uses to let a toolstack read and write a guest's memory). Each entry says
// which of dom0's frames shows which frame of which domain. When a domain is destroyed,
// every mapping into it is taken out of dom0 first, so that none outlives the pages.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "public/xen.hpp"
#include "tern/addr.hpp"
#include "tern/status.hpp"

namespace tern::hv {

struct ForeignMap {
    std::uint64_t local_gfn = 0;  // dom0's frame
    pub::domid_t domain = 0;      // whose page it shows
    std::uint64_t foreign_gfn = 0;
    Paddr machine;
    bool used = false;
};

class ForeignMaps {
  public:
    static constexpr std::size_t kMaxMaps = 2048;  // 8 MiB of other domains' pages at once

    // Records a mapping at `local_gfn`, replacing the one there (which is returned, so that
    // the caller knows it went). out_of_memory when the table is full.
    Result<std::optional<ForeignMap>> add(std::uint64_t local_gfn, pub::domid_t domain,
                                          std::uint64_t foreign_gfn, Paddr machine);
    // Forgets the mapping at `local_gfn`; what it was, or nothing if it was not foreign.
    std::optional<ForeignMap> remove(std::uint64_t local_gfn);
    const ForeignMap* find(std::uint64_t local_gfn) const;
    // Whether some mapping shows `domain`'s frame `foreign_gfn`.
    bool shows(pub::domid_t domain, std::uint64_t foreign_gfn) const;

    // Forgets every mapping into `domain`, calling unmap(local_gfn) for each; returns how many.
    template <class Unmap>
    std::size_t drop_domain(pub::domid_t domain, Unmap unmap) {
        std::size_t n = 0;
        for (ForeignMap& m : maps_) {
            if (m.used && m.domain == domain) {
                unmap(m.local_gfn);
                m = {};
                --count_;
                ++n;
            }
        }
        return n;
    }

    std::size_t count() const { return count_; }

  private:
    std::array<ForeignMap, kMaxMaps> maps_{};
    std::size_t count_ = 0;
};

}  // namespace tern::hv
