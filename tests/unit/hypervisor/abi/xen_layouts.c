/* The sizes and field offsets of Xen's own public structures for arm64, as Debian's
 * libxen-dev headers define them, compiled in C (where empty structs take no space) by the
 * aarch64 cross compiler. Each value is emitted into the assembly output as a line
 * "@@layout NAME VALUE", which check_abi.sh turns into a C++ header of constants. */
/* The interface Linux 6.1 and Xen 4.17 speak: the newest of these headers. */
#define __XEN_INTERFACE_VERSION__ 0x00040e00
#include <stddef.h>
#include <stdint.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/hvm/hvm_op.h>
#include <xen/hvm/params.h>
#include <xen/memory.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/xen.h>

#define LAYOUT(name, value) __asm__ volatile("\n.ascii \"@@layout " #name " %c0\"" : : "i"(value))
#define SIZE(type) LAYOUT(size_##type, sizeof(struct type))
#define OFFSET(type, field) LAYOUT(offset_##type##_##field, offsetof(struct type, field))

void xen_layouts(void);
void xen_layouts(void) {
    SIZE(vcpu_time_info);
    OFFSET(vcpu_time_info, version);
    OFFSET(vcpu_time_info, tsc_timestamp);
    OFFSET(vcpu_time_info, system_time);
    OFFSET(vcpu_time_info, tsc_to_system_mul);
    OFFSET(vcpu_time_info, tsc_shift);
    OFFSET(vcpu_time_info, flags);
    SIZE(vcpu_info);
    OFFSET(vcpu_info, evtchn_upcall_pending);
    OFFSET(vcpu_info, pad0);
    OFFSET(vcpu_info, evtchn_pending_sel);
    OFFSET(vcpu_info, time);
    SIZE(shared_info);
    OFFSET(shared_info, vcpu_info);
    OFFSET(shared_info, evtchn_pending);
    OFFSET(shared_info, evtchn_mask);
    OFFSET(shared_info, wc_version);
    OFFSET(shared_info, wc_sec);
    OFFSET(shared_info, wc_nsec);
    OFFSET(shared_info, wc_sec_hi);
    SIZE(evtchn_alloc_unbound);
    OFFSET(evtchn_alloc_unbound, dom);
    OFFSET(evtchn_alloc_unbound, remote_dom);
    OFFSET(evtchn_alloc_unbound, port);
    SIZE(evtchn_bind_interdomain);
    OFFSET(evtchn_bind_interdomain, remote_dom);
    OFFSET(evtchn_bind_interdomain, remote_port);
    OFFSET(evtchn_bind_interdomain, local_port);
    SIZE(evtchn_bind_virq);
    OFFSET(evtchn_bind_virq, virq);
    OFFSET(evtchn_bind_virq, vcpu);
    OFFSET(evtchn_bind_virq, port);
    SIZE(evtchn_bind_ipi);
    OFFSET(evtchn_bind_ipi, vcpu);
    OFFSET(evtchn_bind_ipi, port);
    SIZE(evtchn_close);
    SIZE(evtchn_send);
    SIZE(evtchn_unmask);
    SIZE(evtchn_bind_vcpu);
    OFFSET(evtchn_bind_vcpu, port);
    OFFSET(evtchn_bind_vcpu, vcpu);
    SIZE(evtchn_status);
    OFFSET(evtchn_status, dom);
    OFFSET(evtchn_status, port);
    OFFSET(evtchn_status, status);
    OFFSET(evtchn_status, vcpu);
    OFFSET(evtchn_status, u);
    LAYOUT(offset_evtchn_status_u_interdomain_port,
           offsetof(struct evtchn_status, u.interdomain.port));
    LAYOUT(value_EVTCHNSTAT_virq, EVTCHNSTAT_virq);
    LAYOUT(value_VIRQ_CONSOLE, VIRQ_CONSOLE);
    SIZE(grant_entry_v1);
    OFFSET(grant_entry_v1, flags);
    OFFSET(grant_entry_v1, domid);
    OFFSET(grant_entry_v1, frame);
    SIZE(gnttab_map_grant_ref);
    OFFSET(gnttab_map_grant_ref, host_addr);
    OFFSET(gnttab_map_grant_ref, flags);
    OFFSET(gnttab_map_grant_ref, ref);
    OFFSET(gnttab_map_grant_ref, dom);
    OFFSET(gnttab_map_grant_ref, status);
    OFFSET(gnttab_map_grant_ref, handle);
    OFFSET(gnttab_map_grant_ref, dev_bus_addr);
    SIZE(gnttab_unmap_grant_ref);
    OFFSET(gnttab_unmap_grant_ref, host_addr);
    OFFSET(gnttab_unmap_grant_ref, dev_bus_addr);
    OFFSET(gnttab_unmap_grant_ref, handle);
    OFFSET(gnttab_unmap_grant_ref, status);
    SIZE(gnttab_setup_table);
    OFFSET(gnttab_setup_table, dom);
    OFFSET(gnttab_setup_table, nr_frames);
    OFFSET(gnttab_setup_table, status);
    OFFSET(gnttab_setup_table, frame_list);
    SIZE(gnttab_query_size);
    OFFSET(gnttab_query_size, dom);
    OFFSET(gnttab_query_size, nr_frames);
    OFFSET(gnttab_query_size, max_nr_frames);
    OFFSET(gnttab_query_size, status);
    SIZE(gnttab_set_version);
    SIZE(gnttab_get_version);
    OFFSET(gnttab_get_version, dom);
    OFFSET(gnttab_get_version, version);
    SIZE(gnttab_copy);
    OFFSET(gnttab_copy, source);
    OFFSET(gnttab_copy, dest);
    OFFSET(gnttab_copy, len);
    OFFSET(gnttab_copy, flags);
    OFFSET(gnttab_copy, status);
    OFFSET(gnttab_copy, source.domid);
    OFFSET(gnttab_copy, source.offset);
    SIZE(xen_add_to_physmap);
    OFFSET(xen_add_to_physmap, domid);
    OFFSET(xen_add_to_physmap, size);
    OFFSET(xen_add_to_physmap, space);
    OFFSET(xen_add_to_physmap, idx);
    OFFSET(xen_add_to_physmap, gpfn);
    SIZE(xen_remove_from_physmap);
    OFFSET(xen_remove_from_physmap, gpfn);
    SIZE(xen_memory_reservation);
    OFFSET(xen_memory_reservation, extent_start);
    OFFSET(xen_memory_reservation, nr_extents);
    OFFSET(xen_memory_reservation, extent_order);
    OFFSET(xen_memory_reservation, mem_flags);
    OFFSET(xen_memory_reservation, domid);
    SIZE(xen_add_to_physmap_batch);
    OFFSET(xen_add_to_physmap_batch, domid);
    OFFSET(xen_add_to_physmap_batch, space);
    OFFSET(xen_add_to_physmap_batch, size);
    OFFSET(xen_add_to_physmap_batch, u);
    OFFSET(xen_add_to_physmap_batch, idxs);
    OFFSET(xen_add_to_physmap_batch, gpfns);
    OFFSET(xen_add_to_physmap_batch, errs);
    SIZE(vcpu_runstate_info);
    OFFSET(vcpu_runstate_info, state);
    OFFSET(vcpu_runstate_info, state_entry_time);
    OFFSET(vcpu_runstate_info, time);
    SIZE(vcpu_register_runstate_memory_area);
    SIZE(vcpu_register_vcpu_info);
    OFFSET(vcpu_register_vcpu_info, mfn);
    OFFSET(vcpu_register_vcpu_info, offset);
    OFFSET(vcpu_register_vcpu_info, rsvd);
    SIZE(sched_shutdown);
    SIZE(sched_poll);
    OFFSET(sched_poll, ports);
    OFFSET(sched_poll, nr_ports);
    OFFSET(sched_poll, timeout);
    SIZE(xen_hvm_param);
    OFFSET(xen_hvm_param, domid);
    OFFSET(xen_hvm_param, index);
    OFFSET(xen_hvm_param, value);
    LAYOUT(hypercall_memory_op, __HYPERVISOR_memory_op);
    LAYOUT(hypercall_xen_version, __HYPERVISOR_xen_version);
    LAYOUT(hypercall_console_io, __HYPERVISOR_console_io);
    LAYOUT(hypercall_grant_table_op, __HYPERVISOR_grant_table_op);
    LAYOUT(hypercall_vcpu_op, __HYPERVISOR_vcpu_op);
    LAYOUT(hypercall_sched_op, __HYPERVISOR_sched_op);
    LAYOUT(hypercall_event_channel_op, __HYPERVISOR_event_channel_op);
    LAYOUT(hypercall_hvm_op, __HYPERVISOR_hvm_op);
    LAYOUT(hypercall_tag, XEN_HYPERCALL_TAG);
    LAYOUT(domid_self, DOMID_SELF);
    LAYOUT(gtf_permit_access, GTF_permit_access);
    LAYOUT(gtf_readonly, GTF_readonly);
    LAYOUT(gtf_reading, GTF_reading);
    LAYOUT(gtf_writing, GTF_writing);
    LAYOUT(evtchnop_alloc_unbound, EVTCHNOP_alloc_unbound);
    LAYOUT(evtchnop_init_control, EVTCHNOP_init_control);
    LAYOUT(gnttabop_copy, GNTTABOP_copy);
    LAYOUT(xenmem_add_to_physmap, XENMEM_add_to_physmap);
    LAYOUT(xenmem_decrease_reservation, XENMEM_decrease_reservation);
    LAYOUT(xenmem_populate_physmap, XENMEM_populate_physmap);
    LAYOUT(xenmem_remove_from_physmap, XENMEM_remove_from_physmap);
    LAYOUT(xenmem_add_to_physmap_batch, XENMEM_add_to_physmap_batch);
    LAYOUT(xenmapspace_gmfn_foreign, XENMAPSPACE_gmfn_foreign);
    LAYOUT(vcpuop_register_vcpu_info, VCPUOP_register_vcpu_info);
    LAYOUT(schedop_poll, SCHEDOP_poll);
    LAYOUT(shutdown_crash, SHUTDOWN_crash);
    LAYOUT(hvm_param_console_evtchn, HVM_PARAM_CONSOLE_EVTCHN);
}
