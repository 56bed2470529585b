#include "common/dom0_memory.hpp"

#include "common/guest_errno.hpp"
#include "public/memory.hpp"

namespace tern::hv {

namespace {

bool is_self(pub::domid_t domid) {
    return domid == pub::kDomidSelf || domid == ControlPlane::kControlDomain;
}

}  // namespace

// One of dom0's frames goes back: a foreign page is only unmapped (it stays its owner's); a
// page of dom0's own RAM is unmapped and freed.
std::int64_t Dom0Memory::give_back(std::uint64_t gfn) {
    if (maps_.remove(gfn).has_value())
        return stage2_.unmap(gfn) ? 0 : kEnomem;
    if (!stage2_.is_ram_frame(gfn) || !stage2_.is_mapped(gfn))
        return kEinval;
    if (!stage2_.unmap(gfn))
        return kEnomem;
    machine_.free(Paddr{gfn << kPageShift}, 1);
    return 0;
}

std::int64_t Dom0Memory::decrease_reservation(GuestMemory& memory, std::uint64_t arg) {
    pub::xen_memory_reservation r{};
    if (!memory.read(arg, r))
        return kEfault;
    if (!is_self(r.domid))
        return kEperm;
    if (r.extent_order != 0)
        return kEinval;  // Linux's balloon gives pages back one by one
    return control_.with_domains([&](DomainTable&) -> std::int64_t {
        std::uint64_t done = 0;
        for (; done < r.nr_extents; ++done) {
            std::uint64_t gfn = 0;
            if (!memory.read(r.extent_start.p + done * sizeof gfn, gfn))
                return done == 0 ? kEfault : static_cast<std::int64_t>(done);
            if (give_back(gfn) != 0)
                break;
        }
        return static_cast<std::int64_t>(done);
    });
}

std::int32_t Dom0Memory::map_one(DomainTable& domains, pub::domid_t foreign, std::uint64_t idx,
                                 std::uint64_t gpfn) {
    Domain* d = domains.find(foreign);
    if (d == nullptr)
        return static_cast<std::int32_t>(kEsrch);
    const auto machine = d->memory().machine_of(idx);
    if (!machine)
        return static_cast<std::int32_t>(kEinval);  // not one of its pages
    // Only over dom0's own RAM frames that it gave back (or that show another foreign page):
    // never over its live memory or a device.
    if (!stage2_.is_ram_frame(gpfn) || (stage2_.is_mapped(gpfn) && maps_.find(gpfn) == nullptr))
        return static_cast<std::int32_t>(kEinval);
    auto added = maps_.add(gpfn, foreign, idx, *machine);
    if (!added.ok())
        return static_cast<std::int32_t>(kEnomem);
    if (!stage2_.map(gpfn, *machine, MapAccess::read_write)) {
        (void)maps_.remove(gpfn);
        return static_cast<std::int32_t>(kEnomem);
    }
    return 0;
}

std::int64_t Dom0Memory::add_to_physmap_batch(GuestMemory& memory, std::uint64_t arg) {
    pub::xen_add_to_physmap_batch b{};
    if (!memory.read(arg, b))
        return kEfault;
    if (!is_self(b.domid))
        return kEperm;
    if (b.space != pub::kMapspaceGmfnForeign)
        return kEopnotsupp;
    if (is_self(b.foreign_domid))
        return kEinval;
    return control_.with_domains([&](DomainTable& domains) -> std::int64_t {
        if (domains.find(b.foreign_domid) == nullptr)
            return kEsrch;
        for (std::uint16_t i = 0; i < b.size; ++i) {
            std::uint64_t idx = 0;
            std::uint64_t gpfn = 0;
            if (!memory.read(b.idxs.p + i * sizeof idx, idx) ||
                !memory.read(b.gpfns.p + i * sizeof gpfn, gpfn))
                return kEfault;
            const std::int32_t error = map_one(domains, b.foreign_domid, idx, gpfn);
            if (!memory.write(b.errs.p + i * sizeof error, error))
                return kEfault;
        }
        return 0;
    });
}

std::int64_t Dom0Memory::remove_from_physmap(GuestMemory& memory, std::uint64_t arg) {
    pub::xen_remove_from_physmap r{};
    if (!memory.read(arg, r))
        return kEfault;
    if (!is_self(r.domid))
        return kEperm;
    return control_.with_domains([&](DomainTable&) -> std::int64_t {
        if (!maps_.remove(r.gpfn).has_value())
            return 0;  // nothing foreign there: nothing to undo
        return stage2_.unmap(r.gpfn) ? 0 : kEnomem;
    });
}

void Dom0Memory::before_destroy(pub::domid_t domain) {
    (void)maps_.drop_domain(domain, [this](std::uint64_t gfn) { (void)stage2_.unmap(gfn); });
    for (GrantMap& g : grants_) {
        if (g.used && g.domain == domain)
            g = {};  // its page left dom0 with the foreign maps; the handle is stale now
    }
}

}  // namespace tern::hv
