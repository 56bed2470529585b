// Compile-time test: every structure and number of Tern's guest ABI (hypervisor/include/public)
// has the size, field offsets and value of Xen's own, as Debian's libxen-dev defines them for
// arm64. check_abi.sh builds it with the aarch64 cross compiler.
#include <cstddef>

#include "public/event_channel.hpp"
#include "public/grant_table.hpp"
#include "public/memory.hpp"
#include "public/sched.hpp"
#include "public/vcpu.hpp"
#include "public/xen.hpp"
#include "xen_layouts.hpp"

namespace p = tern::pub;

#define SAME_SIZE(type) static_assert(sizeof(p::type) == xen::size_##type, #type ": size differs")
#define SAME_OFFSET(type, field)                                            \
    static_assert(offsetof(p::type, field) == xen::offset_##type##_##field, \
                  #type "." #field ": offset differs")

SAME_SIZE(vcpu_time_info);
SAME_OFFSET(vcpu_time_info, version);
SAME_OFFSET(vcpu_time_info, tsc_timestamp);
SAME_OFFSET(vcpu_time_info, system_time);
SAME_OFFSET(vcpu_time_info, tsc_to_system_mul);
SAME_OFFSET(vcpu_time_info, tsc_shift);
SAME_OFFSET(vcpu_time_info, flags);
SAME_SIZE(vcpu_info);
SAME_OFFSET(vcpu_info, evtchn_upcall_pending);
SAME_OFFSET(vcpu_info, pad0);
SAME_OFFSET(vcpu_info, evtchn_pending_sel);
SAME_OFFSET(vcpu_info, time);
SAME_SIZE(shared_info);
SAME_OFFSET(shared_info, vcpu_info);
SAME_OFFSET(shared_info, evtchn_pending);
SAME_OFFSET(shared_info, evtchn_mask);
SAME_OFFSET(shared_info, wc_version);
SAME_OFFSET(shared_info, wc_sec);
SAME_OFFSET(shared_info, wc_nsec);
SAME_OFFSET(shared_info, wc_sec_hi);
SAME_SIZE(evtchn_alloc_unbound);
SAME_OFFSET(evtchn_alloc_unbound, dom);
SAME_OFFSET(evtchn_alloc_unbound, remote_dom);
SAME_OFFSET(evtchn_alloc_unbound, port);
SAME_SIZE(evtchn_bind_interdomain);
SAME_OFFSET(evtchn_bind_interdomain, remote_dom);
SAME_OFFSET(evtchn_bind_interdomain, remote_port);
SAME_OFFSET(evtchn_bind_interdomain, local_port);
SAME_SIZE(evtchn_bind_virq);
SAME_OFFSET(evtchn_bind_virq, virq);
SAME_OFFSET(evtchn_bind_virq, vcpu);
SAME_OFFSET(evtchn_bind_virq, port);
SAME_SIZE(evtchn_bind_ipi);
SAME_OFFSET(evtchn_bind_ipi, vcpu);
SAME_OFFSET(evtchn_bind_ipi, port);
SAME_SIZE(evtchn_close);
SAME_SIZE(evtchn_send);
SAME_SIZE(evtchn_unmask);
SAME_SIZE(evtchn_bind_vcpu);
SAME_OFFSET(evtchn_bind_vcpu, port);
SAME_OFFSET(evtchn_bind_vcpu, vcpu);
SAME_SIZE(evtchn_status);
SAME_OFFSET(evtchn_status, dom);
SAME_OFFSET(evtchn_status, port);
SAME_OFFSET(evtchn_status, status);
SAME_OFFSET(evtchn_status, vcpu);
SAME_OFFSET(evtchn_status, u);
static_assert(offsetof(p::evtchn_status, u.interdomain.port) ==
              xen::offset_evtchn_status_u_interdomain_port);
static_assert(p::kEvtchnStatVirq == xen::value_EVTCHNSTAT_virq);
static_assert(p::kVirqConsole == xen::value_VIRQ_CONSOLE);
SAME_SIZE(grant_entry_v1);
SAME_OFFSET(grant_entry_v1, flags);
SAME_OFFSET(grant_entry_v1, domid);
SAME_OFFSET(grant_entry_v1, frame);
SAME_SIZE(gnttab_map_grant_ref);
SAME_OFFSET(gnttab_map_grant_ref, host_addr);
SAME_OFFSET(gnttab_map_grant_ref, flags);
SAME_OFFSET(gnttab_map_grant_ref, ref);
SAME_OFFSET(gnttab_map_grant_ref, dom);
SAME_OFFSET(gnttab_map_grant_ref, status);
SAME_OFFSET(gnttab_map_grant_ref, handle);
SAME_OFFSET(gnttab_map_grant_ref, dev_bus_addr);
SAME_SIZE(gnttab_unmap_grant_ref);
SAME_OFFSET(gnttab_unmap_grant_ref, host_addr);
SAME_OFFSET(gnttab_unmap_grant_ref, dev_bus_addr);
SAME_OFFSET(gnttab_unmap_grant_ref, handle);
SAME_OFFSET(gnttab_unmap_grant_ref, status);
SAME_SIZE(gnttab_setup_table);
SAME_OFFSET(gnttab_setup_table, dom);
SAME_OFFSET(gnttab_setup_table, nr_frames);
SAME_OFFSET(gnttab_setup_table, status);
SAME_OFFSET(gnttab_setup_table, frame_list);
SAME_SIZE(gnttab_query_size);
SAME_OFFSET(gnttab_query_size, dom);
SAME_OFFSET(gnttab_query_size, nr_frames);
SAME_OFFSET(gnttab_query_size, max_nr_frames);
SAME_OFFSET(gnttab_query_size, status);
SAME_SIZE(gnttab_set_version);
SAME_SIZE(gnttab_get_version);
SAME_OFFSET(gnttab_get_version, dom);
SAME_OFFSET(gnttab_get_version, version);
SAME_SIZE(gnttab_copy);
SAME_OFFSET(gnttab_copy, source);
SAME_OFFSET(gnttab_copy, dest);
SAME_OFFSET(gnttab_copy, len);
SAME_OFFSET(gnttab_copy, flags);
SAME_OFFSET(gnttab_copy, status);
static_assert(offsetof(p::gnttab_copy, source) + offsetof(p::gnttab_copy_ptr, domid) ==
              xen::offset_gnttab_copy_source_domid);
static_assert(offsetof(p::gnttab_copy, source) + offsetof(p::gnttab_copy_ptr, offset) ==
              xen::offset_gnttab_copy_source_offset);
SAME_SIZE(xen_add_to_physmap);
SAME_OFFSET(xen_add_to_physmap, domid);
SAME_OFFSET(xen_add_to_physmap, size);
SAME_OFFSET(xen_add_to_physmap, space);
SAME_OFFSET(xen_add_to_physmap, idx);
SAME_OFFSET(xen_add_to_physmap, gpfn);
SAME_SIZE(xen_remove_from_physmap);
SAME_OFFSET(xen_remove_from_physmap, gpfn);
SAME_SIZE(xen_memory_reservation);
SAME_OFFSET(xen_memory_reservation, extent_start);
SAME_OFFSET(xen_memory_reservation, nr_extents);
SAME_OFFSET(xen_memory_reservation, extent_order);
SAME_OFFSET(xen_memory_reservation, mem_flags);
SAME_OFFSET(xen_memory_reservation, domid);
SAME_SIZE(xen_add_to_physmap_batch);
SAME_OFFSET(xen_add_to_physmap_batch, domid);
SAME_OFFSET(xen_add_to_physmap_batch, space);
SAME_OFFSET(xen_add_to_physmap_batch, size);
static_assert(offsetof(p::xen_add_to_physmap_batch, foreign_domid) ==
              xen::offset_xen_add_to_physmap_batch_u);
SAME_OFFSET(xen_add_to_physmap_batch, idxs);
SAME_OFFSET(xen_add_to_physmap_batch, gpfns);
SAME_OFFSET(xen_add_to_physmap_batch, errs);
SAME_SIZE(vcpu_runstate_info);
SAME_OFFSET(vcpu_runstate_info, state);
SAME_OFFSET(vcpu_runstate_info, state_entry_time);
SAME_OFFSET(vcpu_runstate_info, time);
SAME_SIZE(vcpu_register_runstate_memory_area);
SAME_SIZE(vcpu_register_vcpu_info);
SAME_OFFSET(vcpu_register_vcpu_info, mfn);
SAME_OFFSET(vcpu_register_vcpu_info, offset);
SAME_OFFSET(vcpu_register_vcpu_info, rsvd);
SAME_SIZE(sched_shutdown);
SAME_SIZE(sched_poll);
SAME_OFFSET(sched_poll, ports);
SAME_OFFSET(sched_poll, nr_ports);
SAME_OFFSET(sched_poll, timeout);
SAME_SIZE(xen_hvm_param);
SAME_OFFSET(xen_hvm_param, domid);
SAME_OFFSET(xen_hvm_param, index);
SAME_OFFSET(xen_hvm_param, value);

static_assert(p::kHypercallMemoryOp == xen::hypercall_memory_op);
static_assert(p::kHypercallXenVersion == xen::hypercall_xen_version);
static_assert(p::kHypercallConsoleIo == xen::hypercall_console_io);
static_assert(p::kHypercallGrantTableOp == xen::hypercall_grant_table_op);
static_assert(p::kHypercallVcpuOp == xen::hypercall_vcpu_op);
static_assert(p::kHypercallSchedOp == xen::hypercall_sched_op);
static_assert(p::kHypercallEventChannelOp == xen::hypercall_event_channel_op);
static_assert(p::kHypercallHvmOp == xen::hypercall_hvm_op);
static_assert(p::kHypercallTag == xen::hypercall_tag);
static_assert(p::kDomidSelf == xen::domid_self);
static_assert(p::kGtfPermitAccess == xen::gtf_permit_access);
static_assert(p::kGtfReadonly == xen::gtf_readonly);
static_assert(p::kGtfReading == xen::gtf_reading);
static_assert(p::kGtfWriting == xen::gtf_writing);
static_assert(p::kEvtchnOpAllocUnbound == xen::evtchnop_alloc_unbound);
static_assert(p::kEvtchnOpInitControl == xen::evtchnop_init_control);
static_assert(p::kGnttabOpCopy == xen::gnttabop_copy);
static_assert(p::kMemoryOpAddToPhysmap == xen::xenmem_add_to_physmap);
static_assert(p::kMemoryOpDecreaseReservation == xen::xenmem_decrease_reservation);
static_assert(p::kMemoryOpPopulatePhysmap == xen::xenmem_populate_physmap);
static_assert(p::kMemoryOpRemoveFromPhysmap == xen::xenmem_remove_from_physmap);
static_assert(p::kMemoryOpAddToPhysmapBatch == xen::xenmem_add_to_physmap_batch);
static_assert(p::kMapspaceGmfnForeign == xen::xenmapspace_gmfn_foreign);
static_assert(p::kVcpuOpRegisterVcpuInfo == xen::vcpuop_register_vcpu_info);
static_assert(p::kSchedOpPoll == xen::schedop_poll);
static_assert(p::kShutdownCrash == xen::shutdown_crash);
static_assert(p::kHvmParamConsoleEvtchn == xen::hvm_param_console_evtchn);
