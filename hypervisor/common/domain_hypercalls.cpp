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

}  // namespace

std::int64_t domain_memory_op(Domain& domain, GuestMemory& memory, std::uint64_t cmd,
                              std::uint64_t arg) {
    if (cmd == pub::kMemoryOpAddToPhysmap)
        return add_to_physmap(domain, memory, arg);
    return kEnosys;  // reservations and foreign maps are the control domain's
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
