// Dom0Memory's grant mappings (../shared/reference/xen-arm-abi.md §5): dom0 maps a page that
// another domain granted it (a v1 entry with GTF_permit_access naming dom0, not GTF_readonly
// unless dom0 maps it read-only) at one of its RAM frames it gave back, as with foreign maps;
// while mapped the entry carries GTF_reading (and GTF_writing for a writable mapping), so
// that the granting domain cannot end its grant under dom0's feet. Unmapping takes the page
// out of dom0 and clears the flags no other mapping needs. Grant copies move bytes between a
// granted page and one of dom0's frames (or two granted pages) without mapping anything.
#include "common/dom0_memory.hpp"

#include "common/guest_errno.hpp"

namespace tern::hv {
namespace {

constexpr std::uint32_t kMapDevice = 1u << 0;  // GNTMAP_device_map
constexpr std::uint32_t kMapHost = 1u << 1;    // GNTMAP_host_map
constexpr std::uint32_t kMapReadonly = 1u << 2;
constexpr std::uint32_t kMapContainsPte = 1u << 4;  // PV page tables: not on Arm
constexpr std::int16_t kOkay = 0;
constexpr std::int16_t kGeneralError = -1;
constexpr std::int16_t kBadDomain = -2;
constexpr std::int16_t kBadGntref = -3;
constexpr std::int16_t kBadHandle = -4;
constexpr std::int16_t kBadVirtAddr = -5;
constexpr std::int16_t kPermissionDenied = -8;
constexpr std::int16_t kBadPage = -9;
constexpr std::int16_t kBadCopyArg = -10;
constexpr std::uint16_t kCopySourceGref = 1u << 0;  // GNTCOPY_source_gref
constexpr std::uint16_t kCopyDestGref = 1u << 1;
constexpr std::int16_t kNoSpace = -13;
constexpr std::uint64_t kMaxBatch = 512;

std::uint16_t load_flags(const pub::grant_entry_v1& e) {
    return __atomic_load_n(&e.flags, __ATOMIC_ACQUIRE);
}

}  // namespace

void Dom0Memory::update_grant_flags(pub::grant_entry_v1& entry, pub::domid_t domain,
                                    pub::grant_ref_t ref) const {
    bool reading = false;
    bool writing = false;
    for (const GrantMap& g : grants_) {
        if (g.used && g.domain == domain && g.ref == ref) {
            reading = true;
            writing = writing || !g.readonly;
        }
    }
    // The guest changes the same word (it ends the grant with a compare-and-swap).
    std::uint16_t old = load_flags(entry);
    std::uint16_t wanted = 0;
    do {
        wanted = static_cast<std::uint16_t>(old & ~(pub::kGtfReading | pub::kGtfWriting));
        wanted |= reading ? pub::kGtfReading : 0;
        wanted |= writing ? pub::kGtfWriting : 0;
    } while (!__atomic_compare_exchange_n(&entry.flags, &old, wanted, false, __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
}

bool Dom0Memory::holds(const Domain& domain, std::uint64_t gfn) const {
    if (maps_.shows(domain.id(), gfn))
        return true;
    for (const GrantMap& g : grants_) {
        if (g.used && g.domain == domain.id() && g.frame == gfn)
            return true;
    }
    return false;
}

std::int16_t Dom0Memory::map_grant(DomainTable& domains, pub::gnttab_map_grant_ref& op) {
    if ((op.flags & (kMapHost | kMapDevice)) == 0 || (op.flags & kMapContainsPte) != 0)
        return kGeneralError;
    Domain* d = domains.find(op.dom);
    if (d == nullptr)
        return kBadDomain;
    pub::grant_entry_v1* entry = d->grants().entry(op.ref);
    if (entry == nullptr)
        return kBadGntref;
    const bool readonly = (op.flags & kMapReadonly) != 0;
    const std::uint16_t flags = load_flags(*entry);
    const pub::domid_t grantee = __atomic_load_n(&entry->domid, __ATOMIC_ACQUIRE);
    if ((flags & 3) != pub::kGtfPermitAccess || grantee != ControlPlane::kControlDomain)
        return kBadGntref;
    if (!readonly && (flags & pub::kGtfReadonly) != 0)
        return kPermissionDenied;
    // Read once: the guest could change the entry meanwhile.
    const std::uint64_t frame = __atomic_load_n(&entry->frame, __ATOMIC_ACQUIRE);
    const auto machine = d->memory().machine_of(frame);
    if (!machine)
        return kBadGntref;  // not a page of the granting domain
    const std::uint64_t gfn = op.host_addr >> kPageShift;
    if ((op.flags & kMapHost) != 0) {
        if (op.host_addr % kPageSize != 0 || !stage2_.is_ram_frame(gfn) ||
            (stage2_.is_mapped(gfn) && maps_.find(gfn) == nullptr))
            return kBadVirtAddr;  // only over a frame dom0 gave back
    }
    GrantMap* slot = nullptr;
    for (GrantMap& g : grants_) {
        if (!g.used) {
            slot = &g;
            break;
        }
    }
    if (slot == nullptr)
        return kNoSpace;
    if ((op.flags & kMapHost) != 0) {
        auto added = maps_.add(gfn, op.dom, frame, *machine);
        if (!added.ok())
            return kNoSpace;
        if (!stage2_.map(gfn, *machine, readonly ? MapAccess::read_only : MapAccess::read_write)) {
            (void)maps_.remove(gfn);
            return kGeneralError;
        }
    }
    *slot =
        GrantMap{true, readonly, op.dom, op.ref, (op.flags & kMapHost) != 0 ? gfn : ~0ull, frame};
    update_grant_flags(*entry, op.dom, op.ref);
    op.handle = static_cast<pub::grant_handle_t>(slot - grants_.data());
    op.dev_bus_addr = machine->value;
    return kOkay;
}

std::int16_t Dom0Memory::unmap_grant(DomainTable& domains, const pub::gnttab_unmap_grant_ref& op) {
    if (op.handle >= kMaxGrantMaps || !grants_[op.handle].used)
        return kBadHandle;
    GrantMap& g = grants_[op.handle];
    if (op.host_addr != 0 && (op.host_addr >> kPageShift) != g.local_gfn)
        return kBadVirtAddr;
    if (g.local_gfn != ~0ull) {
        (void)maps_.remove(g.local_gfn);
        if (!stage2_.unmap(g.local_gfn))
            return kGeneralError;
    }
    const GrantMap was = g;
    g = {};
    if (Domain* d = domains.find(was.domain)) {
        if (pub::grant_entry_v1* entry = d->grants().entry(was.ref))
            update_grant_flags(*entry, was.domain, was.ref);
    }
    return kOkay;
}

std::int64_t Dom0Memory::map_grant_refs(GuestMemory& memory, std::uint64_t arg,
                                        std::uint64_t count) {
    if (count > kMaxBatch)
        return kEinval;
    return control_.with_domains([&](DomainTable& domains) -> std::int64_t {
        for (std::uint64_t i = 0; i < count; ++i) {
            pub::gnttab_map_grant_ref op{};
            const std::uint64_t at = arg + i * sizeof op;
            if (!memory.read(at, op))
                return kEfault;
            op.status = map_grant(domains, op);
            if (!memory.write(at, op))
                return kEfault;
        }
        return 0;
    });
}

std::int64_t Dom0Memory::unmap_grant_refs(GuestMemory& memory, std::uint64_t arg,
                                          std::uint64_t count) {
    if (count > kMaxBatch)
        return kEinval;
    return control_.with_domains([&](DomainTable& domains) -> std::int64_t {
        for (std::uint64_t i = 0; i < count; ++i) {
            pub::gnttab_unmap_grant_ref op{};
            const std::uint64_t at = arg + i * sizeof op;
            if (!memory.read(at, op))
                return kEfault;
            op.status = unmap_grant(domains, op);
            if (!memory.write(at, op))
                return kEfault;
        }
        return 0;
    });
}

std::int16_t Dom0Memory::copy_side(DomainTable& domains, const pub::gnttab_copy_ptr& side,
                                   bool gref, bool write, Paddr& page) const {
    if (!gref) {
        // One of dom0's own frames: its RAM (1:1) or a page it shows through a mapping.
        if (side.domid != pub::kDomidSelf && side.domid != ControlPlane::kControlDomain)
            return kPermissionDenied;
        const std::uint64_t gfn = side.u.gmfn;
        if (const ForeignMap* m = maps_.find(gfn)) {
            page = m->machine;
            return kOkay;
        }
        if (!stage2_.is_ram_frame(gfn) || !stage2_.is_mapped(gfn))
            return kBadPage;
        page = Paddr{gfn << kPageShift};
        return kOkay;
    }
    Domain* d = domains.find(side.domid);
    if (d == nullptr)
        return kBadDomain;
    const pub::grant_entry_v1* entry = d->grants().entry(side.u.ref);
    if (entry == nullptr)
        return kBadGntref;
    const std::uint16_t flags = load_flags(*entry);
    if ((flags & 3) != pub::kGtfPermitAccess ||
        __atomic_load_n(&entry->domid, __ATOMIC_ACQUIRE) != ControlPlane::kControlDomain)
        return kBadGntref;
    if (write && (flags & pub::kGtfReadonly) != 0)
        return kPermissionDenied;
    // Read once: the guest could change the entry meanwhile.
    const std::uint64_t frame = __atomic_load_n(&entry->frame, __ATOMIC_ACQUIRE);
    const auto machine = d->memory().machine_of(frame);
    if (!machine)
        return kBadGntref;
    page = *machine;
    return kOkay;
}

std::int16_t Dom0Memory::copy_one(DomainTable& domains, const pub::gnttab_copy& op) {
    if (std::uint32_t{op.source.offset} + op.len > kPageSize ||
        std::uint32_t{op.dest.offset} + op.len > kPageSize)
        return kBadCopyArg;
    Paddr from{};
    Paddr to{};
    std::int16_t s = copy_side(domains, op.source, (op.flags & kCopySourceGref) != 0, false, from);
    if (s == kOkay)
        s = copy_side(domains, op.dest, (op.flags & kCopyDestGref) != 0, true, to);
    if (s != kOkay)
        return s;
    // Machine pages are the hypervisor's to reach at their addresses; memmove: the two sides
    // may be the same page.
    __builtin_memmove(reinterpret_cast<void*>(to.value + op.dest.offset),
                      reinterpret_cast<const void*>(from.value + op.source.offset), op.len);
    return kOkay;
}

std::int64_t Dom0Memory::copy_grants(GuestMemory& memory, std::uint64_t arg, std::uint64_t count) {
    if (count > kMaxBatch)
        return kEinval;
    return control_.with_domains([&](DomainTable& domains) -> std::int64_t {
        for (std::uint64_t i = 0; i < count; ++i) {
            pub::gnttab_copy op{};
            const std::uint64_t at = arg + i * sizeof op;
            if (!memory.read(at, op))
                return kEfault;
            op.status = copy_one(domains, op);
            if (!memory.write(at, op))
                return kEfault;
        }
        return 0;
    });
}

std::size_t Dom0Memory::grant_maps() const {
    std::size_t n = 0;
    for (const GrantMap& g : grants_)
        n += g.used ? 1 : 0;
    return n;
}

}  // namespace tern::hv
