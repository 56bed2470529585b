#include "common/foreign_maps.hpp"

namespace tern::hv {

Result<std::optional<ForeignMap>> ForeignMaps::add(std::uint64_t local_gfn, pub::domid_t domain,
                                                   std::uint64_t foreign_gfn, Paddr machine) {
    ForeignMap* slot = nullptr;
    for (ForeignMap& m : maps_) {
        if (m.used && m.local_gfn == local_gfn) {
            const ForeignMap old = m;
            m = {local_gfn, domain, foreign_gfn, machine, true};
            return std::optional<ForeignMap>(old);
        }
        if (!m.used && slot == nullptr)
            slot = &m;
    }
    if (slot == nullptr)
        return Status::out_of_memory;
    *slot = {local_gfn, domain, foreign_gfn, machine, true};
    ++count_;
    return std::optional<ForeignMap>();
}

std::optional<ForeignMap> ForeignMaps::remove(std::uint64_t local_gfn) {
    for (ForeignMap& m : maps_) {
        if (m.used && m.local_gfn == local_gfn) {
            const ForeignMap old = m;
            m = {};
            --count_;
            return old;
        }
    }
    return std::nullopt;
}

const ForeignMap* ForeignMaps::find(std::uint64_t local_gfn) const {
    for (const ForeignMap& m : maps_) {
        if (m.used && m.local_gfn == local_gfn)
            return &m;
    }
    return nullptr;
}

bool ForeignMaps::shows(pub::domid_t domain, std::uint64_t foreign_gfn) const {
    for (const ForeignMap& m : maps_) {
        if (m.used && m.domain == domain && m.foreign_gfn == foreign_gfn)
            return true;
    }
    return false;
}

}  // namespace tern::hv
