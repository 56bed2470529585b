// A domU's own-state hypercalls (../shared/reference/xen-arm-abi.md §3): shared_info and grant
// frames go where the guest asks (over a RAM page of its own, as Linux places shared_info),
// vcpu_info moves into its RAM, the runstate area says "running since it started" (each vCPU
// has a CPU to itself), HVM parameters are read-only to it (the toolstack set them).
#include "common/domain_hypercalls.hpp"

#include "common/guest_errno.hpp"
#include "public/memory.hpp"
#include "public/sched.hpp"
#include "public/vcpu.hpp"
#include "public/xen.hpp"

namespace tern::hv {
namespace {

constexpr std::uint64_t kGrantIdxStatusFlag = 1ull << 31;  // XENMAPIDX_grant_table_status
constexpr unsigned kMaxExtentOrder = 9;                    // 2 MiB, as Xen lets a domU ask

bool names_self(const Domain& domain, pub::domid_t dom) {
    return dom == pub::kDomidSelf || dom == domain.id();
}

std::int64_t add_to_physmap(Domain& domain, GuestMemory& memory, std::uint64_t arg) {
    pub::xen_add_to_physmap a{};
    if (!memory.read(arg, a))
        return kEfault;
    if (!names_self(domain, a.domid))
        return kEperm;
    Status s = Status::invalid_argument;
    if (a.space == pub::kMapspaceSharedInfo) {
        if (a.idx != 0)
            return kEinval;
        s = domain.map_shared_info(a.gpfn);
    } else if (a.space == pub::kMapspaceGrantTable) {
        if ((a.idx & kGrantIdxStatusFlag) != 0)
            return kEinval;  // status frames are grant table v2's
        s = domain.map_grant_frame(static_cast<std::uint32_t>(a.idx), a.gpfn);
    } else {
        return kEinval;
    }
    return errno_of(s);
}

// Whether every page of `range` is the domain's own RAM, backed, mapped where it belongs and
// held by no one else.
bool can_give_back(Domain& domain, GfnRange range, const FrameUsers& users) {
    for (std::uint64_t gfn = range.first; gfn != range.end(); ++gfn) {
        const auto machine = domain.memory().machine_of(gfn);
        if (!machine || domain.stage2().translate(gfn << kPageShift) != machine)
            return false;
        if (users.holds(domain, gfn))
            return false;
    }
    return true;
}

// decrease_reservation and populate_physmap: extent by extent, stopping at the first that
// cannot be done; the number done is the answer (Xen's), or an error if none could be read.
template <class Extent>
std::int64_t each_extent(Domain& domain, GuestMemory& memory, std::uint64_t arg, Extent extent) {
    pub::xen_memory_reservation r{};
    if (!memory.read(arg, r))
        return kEfault;
    if (r.domid != pub::kDomidSelf && r.domid != domain.id())
        return kEperm;
    if (r.extent_order > kMaxExtentOrder)
        return kEinval;
    const std::uint64_t pages = 1ull << r.extent_order;
    std::uint64_t done = 0;
    for (; done < r.nr_extents; ++done) {
        std::uint64_t gfn = 0;
        if (!memory.read(r.extent_start.p + done * sizeof gfn, gfn))
            return done == 0 ? kEfault : static_cast<std::int64_t>(done);
        if (gfn + pages < gfn || !extent(GfnRange{gfn, pages}))
            break;
    }
    return static_cast<std::int64_t>(done);
}

}  // namespace

std::int64_t domain_memory_op(Domain& domain, GuestMemory& memory, std::uint64_t cmd,
                              std::uint64_t arg, const FrameUsers& users) {
    switch (cmd) {
        case pub::kMemoryOpAddToPhysmap:
            return add_to_physmap(domain, memory, arg);
        case pub::kMemoryOpDecreaseReservation:
            return each_extent(domain, memory, arg, [&](GfnRange range) {
                if (!can_give_back(domain, range, users))
                    return false;
                auto released = domain.release(range);
                return released.ok() && released.value() == range.count;
            });
        case pub::kMemoryOpPopulatePhysmap:
            return each_extent(domain, memory, arg, [&](GfnRange range) {
                return domain.populate(range) == Status::ok;
            });
        default:
            return kEnosys;  // foreign maps are the control domain's
    }
}

std::int64_t domain_vcpu_op(Domain& domain, GuestMemory& memory, std::uint32_t caller,
                            std::uint64_t cmd, std::uint64_t vcpu, std::uint64_t arg) {
    if (vcpu >= domain.config().max_vcpus)
        return kEinval;
    if (cmd == pub::kVcpuOpRegisterVcpuInfo) {
        pub::vcpu_register_vcpu_info r{};
        if (!memory.read(arg, r))
            return kEfault;
        return errno_of(domain.attach_vcpu_info(static_cast<std::uint32_t>(vcpu), r.mfn, r.offset));
    }
    if (cmd == pub::kVcpuOpRegisterRunstateMemoryArea) {
        std::uint64_t va = 0;
        if (!memory.read(arg, va))
            return kEfault;
        // Filled once, for the caller's own area: running since it started, never waiting.
        if (va != 0 && vcpu == caller) {
            const pub::vcpu_runstate_info running{};
            if (!memory.write(va, running))
                return kEfault;
        }
        return 0;
    }
    return kEnosys;
}

std::int64_t domain_hvm_op(Domain& domain, GuestMemory& memory, std::uint64_t cmd,
                           std::uint64_t arg) {
    if (cmd != pub::kHvmOpGetParam && cmd != pub::kHvmOpSetParam)
        return kEnosys;
    pub::xen_hvm_param p{};
    if (!memory.read(arg, p))
        return kEfault;
    if (!names_self(domain, p.domid))
        return kEperm;
    if (cmd == pub::kHvmOpSetParam)
        return kEperm;  // its parameters are the toolstack's to set
    auto value = domain.hvm_param(p.index);
    if (!value.ok())
        return kEinval;
    p.value = value.value();
    return memory.write(arg, p) ? 0 : kEfault;
}

std::int64_t domain_xen_version(GuestMemory& memory, std::uint64_t cmd, std::uint64_t arg) {
    switch (cmd) {
        case 0:  // XENVER_version
            return (4 << 16) | 17;
        case 6: {  // XENVER_get_features: {u32 submap_idx; u32 submap}
            std::uint32_t io[2];
            if (!memory.read(arg, &io, sizeof io))
                return kEfault;
            io[1] = io[0] == 0 ? kDomUFeatures : 0;
            return memory.write(arg, &io, sizeof io) ? 0 : kEfault;
        }
        default:
            return kEnosys;
    }
}

}  // namespace tern::hv
