// Declares the hypercalls of a domain other than dom0 that act on its own state (the Domain):
// memory_op add_to_physmap (shared_info, grant frames), decrease_reservation and
// populate_physmap (its balloon giving pages back and taking them again), vcpu_op (vcpu_info,
// runstate area), hvm_op get_param, event_channel_op and grant_table_op on its own tables,
// xen_version. They read and answer through the calling vCPU's memory (GuestMemory), so that host
// tests can drive them. What needs the CPU (blocking, shutting down) stays in domain_vcpu_calls.
#pragma once

#include <cstdint>

#include "common/domain.hpp"
#include "common/guest_memory.hpp"

namespace tern::hv {

// Xen's feature bits for a domU (XENVER_get_features submap 0): Xen 4.17's answer to dom0
// less the dom0 bit (11).
inline constexpr std::uint32_t kDomUFeatures = 0x00026005u;

// Who else holds a domain's pages (dom0's foreign and grant mappings): such a page cannot go
// back to the machine while it is held.
class FrameUsers {
  public:
    virtual bool holds(const Domain& domain, std::uint64_t gfn) const = 0;

  protected:
    ~FrameUsers() = default;
};

// The caller holds the control plane's lock (nothing maps the domain's pages meanwhile).
std::int64_t domain_memory_op(Domain& domain, GuestMemory& memory, std::uint64_t cmd,
                              std::uint64_t arg, const FrameUsers& users);
// `caller` is the calling vCPU; a domain's vCPU registers areas for itself or for vCPUs of its
// own domain (`vcpu`).
std::int64_t domain_vcpu_op(Domain& domain, GuestMemory& memory, std::uint32_t caller,
                            std::uint64_t cmd, std::uint64_t vcpu, std::uint64_t arg);
std::int64_t domain_hvm_op(Domain& domain, GuestMemory& memory, std::uint64_t cmd,
                           std::uint64_t arg);
std::int64_t domain_xen_version(GuestMemory& memory, std::uint64_t cmd, std::uint64_t arg);

}  // namespace tern::hv
