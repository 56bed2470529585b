// The hypercalls and firmware calls dom0 makes while it boots. Everything not implemented yet
// answers -ENOSYS (hypercalls) or NOT_SUPPORTED (SMCCC), and is logged once per number.
#include "common/guest_calls.hpp"

#include "common/caller_memory.hpp"
#include "common/console.hpp"
#include "common/control_plane.hpp"
#include "common/dom0_memory.hpp"
#include "common/event_channel_op.hpp"
#include "common/event_channels.hpp"
#include "common/grant_table.hpp"
#include "common/guest_errno.hpp"
#include "common/log_level.hpp"
#include "common/machine_memory.hpp"
#include "common/vcpu_power.hpp"
#include "common/vcpu_scheduling.hpp"
#include "public/event_channel.hpp"
#include "public/grant_table.hpp"
#include "public/memory.hpp"
#include "public/sched.hpp"
#include "public/vcpu.hpp"
#include "public/xen.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/arch/gic.hpp"
#include "tern/arch/guest.hpp"
#include "tern/arch/timer.hpp"

namespace tern::hv {
namespace {

Console* g_console = nullptr;
MachineMemory* g_pages = nullptr;
ControlPlane* g_control = nullptr;
Dom0Memory* g_dom0_memory = nullptr;
VcpuPower* g_vcpus = nullptr;
SchedDomain* g_dom0_sched = nullptr;
EventChannels* g_events = nullptr;

// The event channels of the domains dom0 manages, by id.
class ManagedDomainEvents final : public DomainEventsLookup {
  public:
    explicit ManagedDomainEvents(DomainTable& domains) : domains_(domains) {}
    EventChannels* events_of(pub::domid_t domain) override {
        Domain* d = domains_.find(domain);
        return d != nullptr ? &d->events() : nullptr;
    }

  private:
    DomainTable& domains_;
};

// dom0's shared pages: shared_info and its grant-table frames (v1), made on first use.
std::uint64_t g_shared_info = 0;
GrantTable g_grants(0);
std::uint64_t g_vcpu_info[8] = {};  // guest-physical address of each vCPU's vcpu_info
constexpr std::uint32_t kHvmNrParams = 39;
std::uint64_t g_hvm_params[kHvmNrParams] =
    {};  // dom0's HVM params (all 0 until a toolstack sets them)

std::uint64_t new_zeroed_page() {
    if (g_pages == nullptr)
        return 0;
    auto page = g_pages->allocate_zeroed(1, 1);
    return page.ok() ? page->value : 0;
}

// The vCPU of dom0 that made the call (the one the scheduler runs on this CPU).
std::uint32_t calling_vcpu() {
    const SchedVcpu* v = current_vcpu();
    return v != nullptr ? v->vcpu : 0;
}

// memory_op XENMEM_add_to_physmap: the guest asks for a hypervisor page at one of its frames.
std::int64_t add_to_physmap(std::uint64_t arg) {
    pub::xen_add_to_physmap a{};
    if (!arch::copy_from_guest(arg, &a, sizeof a))
        return kEfault;
    if (a.domid != pub::kDomidSelf && a.domid != 0)
        return -1;  // EPERM: foreign maps come later
    std::uint64_t page = 0;
    if (a.space == pub::kMapspaceSharedInfo && a.idx == 0) {
        if (g_shared_info == 0) {
            g_shared_info = new_zeroed_page();
            if (g_shared_info != 0 && g_events != nullptr)
                g_events->attach_shared_info(reinterpret_cast<pub::shared_info*>(g_shared_info));
        }
        page = g_shared_info;
    } else if (a.space == pub::kMapspaceGrantTable) {
        auto frame = g_grants.frame(static_cast<std::uint32_t>(a.idx), new_zeroed_page);
        if (!frame.ok())
            return errno_of(frame.status());
        page = frame.value();
    } else {
        return kEinval;
    }
    if (page == 0)
        return -12;  // ENOMEM
    return arch::map_guest_page(a.gpfn << kPageShift, page, true) ? 0 : -12;
}

std::int64_t memory_op(std::uint64_t cmd, std::uint64_t arg) {
    if (cmd == pub::kMemoryOpAddToPhysmap)
        return add_to_physmap(arg);
    if (g_dom0_memory == nullptr)
        return kEnosys;
    CallerMemory memory;
    switch (cmd) {
        case pub::kMemoryOpDecreaseReservation:
            return g_dom0_memory->decrease_reservation(memory, arg);
        case pub::kMemoryOpAddToPhysmapBatch:
            return g_dom0_memory->add_to_physmap_batch(memory, arg);
        case pub::kMemoryOpRemoveFromPhysmap:
            return g_dom0_memory->remove_from_physmap(memory, arg);
        default:
            return kEnosys;
    }
}

// hvm_op get_param/set_param on dom0's own parameters.
std::int64_t hvm_op(std::uint64_t cmd, std::uint64_t arg) {
    if (cmd != pub::kHvmOpSetParam && cmd != pub::kHvmOpGetParam)
        return kEnosys;
    pub::xen_hvm_param p{};
    if (!arch::copy_from_guest(arg, &p, sizeof p))
        return kEfault;
    if (p.domid != pub::kDomidSelf && p.domid != 0)
        return -3;  // ESRCH: no other domain yet
    if (p.index >= kHvmNrParams)
        return kEinval;
    if (cmd == pub::kHvmOpSetParam) {
        g_hvm_params[p.index] = p.value;
        return 0;
    }
    p.value = g_hvm_params[p.index];
    return arch::copy_to_guest(arg, &p, sizeof p) ? 0 : kEfault;
}

std::int64_t vcpu_op(std::uint64_t cmd, std::uint64_t vcpu, std::uint64_t arg) {
    if (cmd == pub::kVcpuOpRegisterVcpuInfo) {
        pub::vcpu_register_vcpu_info r{};
        if (!arch::copy_from_guest(arg, &r, sizeof r))
            return kEfault;
        if (vcpu >= 8 || r.offset > kPageSize - sizeof(pub::vcpu_info) || r.offset % 8 != 0)
            return kEinval;
        // dom0's frames are machine frames (1:1), inside its RAM by the translation check.
        std::uint64_t pa = 0;
        if (!arch::guest_frame_is_ram(r.mfn))
            return kEinval;
        pa = (r.mfn << kPageShift) + r.offset;
        if (g_events != nullptr) {
            const Status s = g_events->attach_vcpu_info(static_cast<std::uint32_t>(vcpu),
                                                        reinterpret_cast<pub::vcpu_info*>(pa));
            if (s != Status::ok)
                return errno_of(s);
        }
        g_vcpu_info[vcpu] = pa;
        return 0;
    }
    if (cmd == pub::kVcpuOpRegisterRunstateMemoryArea) {
        // Accepted and filled once: the vCPU is running and has been since it started (its
        // time waiting for a CPU, steal time, is not reported).
        std::uint64_t va = 0;
        if (!arch::copy_from_guest(arg, &va, sizeof va))
            return kEfault;
        if (vcpu >= 8)
            return kEinval;
        if (va != 0 && calling_vcpu() == vcpu) {
            const pub::vcpu_runstate_info running{};
            if (!arch::copy_to_guest(va, &running, sizeof running))
                return kEfault;
        }
        return 0;
    }
    return kEnosys;
}
std::uint64_t g_logged[2] = {};  // one bit per hypercall number below 128

void log_once(std::uint64_t number) {
    if (number < 128 && (g_logged[number / 64] & (1ull << (number % 64))) == 0) {
        g_logged[number / 64] |= 1ull << (number % 64);
        if (g_console != nullptr && log_enabled(LogLevel::warning)) {
            lib::Out(*g_console) << "(TERN) d0: hypercall " << number
                                 << " not implemented: -ENOSYS\n";
        }
    }
}

// platform_op: dom0 tells the hypervisor the wall-clock time (XENPF_settime64), which is
// published in shared_info's wallclock with the version protocol (odd while changing).
std::int64_t platform_op(std::uint64_t arg) {
    struct {
        std::uint32_t cmd;
        std::uint32_t interface_version;
        std::uint64_t secs;
        std::uint32_t nsecs;
        std::uint32_t mbz;
        std::uint64_t system_time;
        std::uint8_t rest[136 - 32];
    } op{};
    static_assert(sizeof op == 136);
    if (!arch::copy_from_guest(arg, &op, sizeof op))
        return kEfault;
    if (op.interface_version != 0x03000001)
        return kEacces;
    if (op.cmd != 62) {  // XENPF_settime64
        log_once(pub::kHypercallPlatformOp);
        return kEnosys;
    }
    if (op.mbz != 0 || op.nsecs >= 1000000000u)
        return kEinval;
    if (g_shared_info != 0) {
        auto* shared = reinterpret_cast<pub::shared_info*>(g_shared_info);
        // Wall-clock time when the system time (the counter, in ns) was 0.
        const std::uint64_t now_ns = op.secs * 1000000000ull + op.nsecs;
        const std::uint64_t boot_ns = now_ns > op.system_time ? now_ns - op.system_time : 0;
        __atomic_fetch_add(&shared->wc_version, 1, __ATOMIC_SEQ_CST);
        shared->wc_sec = static_cast<std::uint32_t>(boot_ns / 1000000000ull);
        shared->wc_sec_hi = static_cast<std::uint32_t>((boot_ns / 1000000000ull) >> 32);
        shared->wc_nsec = static_cast<std::uint32_t>(boot_ns % 1000000000ull);
        __atomic_fetch_add(&shared->wc_version, 1, __ATOMIC_SEQ_CST);
    }
    return 0;
}

// xen_version: Tern answers as Xen 4.17, and offers the features Linux checks for.
std::int64_t xen_version(std::uint64_t cmd, std::uint64_t arg) {
    switch (cmd) {
        case 0:
            return (4 << 16) | 17;  // XENVER_version
        case 6: {                   // XENVER_get_features: {u32 submap_idx; u32 submap}
            std::uint32_t io[2];
            if (!arch::copy_from_guest(arg, io, sizeof io))
                return kEfault;
            // writable_page_tables(0), auto_translated_physmap(2), supervisor_mode_kernel(3),
            // hvm_callback_vector(8), dom0(11), memory_op_vnode_supported(13), ... as Xen 4.17
            // tells this dom0 (trace: 0x00026805).
            io[1] = io[0] == 0 ? 0x00026805u : 0;
            return arch::copy_to_guest(arg, io, sizeof io) ? 0 : kEfault;
        }
        default:
            return kEnosys;
    }
}

// console_io: dom0 writes its console (hvc0) through the hypervisor's.
std::int64_t console_io(std::uint64_t cmd, std::uint64_t count, std::uint64_t buffer) {
    if (cmd == 0) {  // CONSOLEIO_write
        char chunk[128];
        std::uint64_t done = 0;
        while (done < count) {
            const std::uint64_t n = count - done < sizeof chunk ? count - done : sizeof chunk;
            if (!arch::copy_from_guest(buffer + done, chunk, n))
                return kEfault;
            if (g_console != nullptr)
                g_console->write(std::string_view(chunk, n));
            done += n;
        }
        return static_cast<std::int64_t>(count);
    }
    if (cmd == 1) {  // CONSOLEIO_read: what has been typed on the hypervisor's console
        char chunk[128];
        const std::uint64_t want = count < sizeof chunk ? count : sizeof chunk;
        std::size_t n = g_console != nullptr ? g_console->read(chunk, want) : 0;
        for (std::size_t i = 0; i < n; ++i) {
            if (chunk[i] == 0x14) {  // Ctrl-T: the hypervisor's debug dump, not dom0's
                arch::request_vgic_dump(g_console);
                if (g_vcpus != nullptr) {
                    for (std::size_t v = 0; v < g_vcpus->count(); ++v) {
                        auto mpidr = g_vcpus->mpidr_of(v);
                        if (mpidr && *mpidr != arch::current_cpu_id())
                            arch::gic_send_sgi(*mpidr, arch::kKickSgi);
                    }
                }
                chunk[i] = ' ';
            }
        }
        if (n == 0)
            return 0;
        return arch::copy_to_guest(buffer, chunk, n) ? static_cast<std::int64_t>(n) : kEfault;
    }
    return kEinval;
}

std::int64_t sched_op(std::uint64_t cmd, std::uint64_t arg) {
    if (cmd == pub::kSchedOpShutdown) {
        pub::sched_shutdown s{};
        if (!arch::copy_from_guest(arg, &s, sizeof s))
            return kEfault;
        // dom0 going down takes the machine with it: a reboot restarts it, anything else
        // (poweroff, crash, watchdog) turns it off, as Xen does without noreboot.
        const bool reboot = s.reason == pub::kShutdownReboot;
        if (g_console != nullptr) {
            lib::Out(*g_console) << "(TERN) d0: shut down (reason " << s.reason << ", "
                                 << pub::shutdown_reason_name(s.reason) << "): "
                                 << (reboot ? "restarting the machine\n" : "powering off\n");
        }
        if (reboot)
            arch::system_reset();
        arch::system_off();
    }
    SchedVcpu* self = current_vcpu();
    if (self == nullptr)
        return kEinval;
    if (cmd == pub::kSchedOpYield) {
        scheduler().yield(*self);  // the other vCPUs waiting for this CPU go first
        return 0;
    }
    const std::uint32_t vcpu = self->vcpu;
    if (cmd == pub::kSchedOpBlock) {
        // Until an event is pending for this vCPU: it leaves its CPU to others meanwhile.
        if (g_events == nullptr || !g_events->upcall_pending(vcpu))
            block_current_vcpu(0);
        return 0;
    }
    if (cmd == pub::kSchedOpPoll) {
        pub::sched_poll poll{};
        if (!arch::copy_from_guest(arg, &poll, sizeof poll))
            return kEfault;
        constexpr std::uint32_t kMaxPollPorts = 128;
        if (poll.nr_ports > kMaxPollPorts)
            return kEinval;
        pub::evtchn_port_t ports[kMaxPollPorts];
        if (poll.nr_ports != 0 &&
            !arch::copy_from_guest(poll.ports.p, ports, poll.nr_ports * sizeof ports[0]))
            return kEfault;
        for (std::uint32_t i = 0; i < poll.nr_ports; ++i) {
            if (g_events != nullptr && g_events->is_pending(ports[i]))
                return 0;
        }
        // Until an interrupt (an event) or the timeout (system time in ns; 0 is none), off
        // its CPU. The caller looks at its ports again.
        if (poll.timeout != 0 && poll.timeout <= arch::system_time_ns())
            return 0;
        block_current_vcpu(poll.timeout);
        return 0;
    }
    return kEnosys;
}

// multicall: a batch of hypercalls, each entry {op, result, args[6]} (64 bytes), run in
// order; a nested multicall is refused.
std::int64_t multicall(std::uint64_t list, std::uint64_t count) {
    struct Entry {
        std::uint64_t op;
        std::uint64_t result;
        std::uint64_t args[6];
    };
    static_assert(sizeof(Entry) == 64);
    if (count > 256)
        return kEinval;
    for (std::uint64_t i = 0; i < count; ++i) {
        Entry e{};
        const std::uint64_t at = list + i * sizeof e;
        if (!arch::copy_from_guest(at, &e, sizeof e))
            return kEfault;
        if (e.op == pub::kHypercallMulticall) {
            e.result = static_cast<std::uint64_t>(kEinval);
        } else {
            std::uint64_t x[31] = {};
            for (int k = 0; k < 6; ++k)
                x[k] = e.args[k];
            x[16] = e.op;
            handle_hypercall(x);
            e.result = x[0];
        }
        if (!arch::copy_to_guest(at + 8, &e.result, sizeof e.result))
            return kEfault;
    }
    return 0;
}

}  // namespace

void set_guest_console(Console* console) {
    g_console = console;
}
void set_guest_pages(MachineMemory* pages) {
    g_pages = pages;
}
void set_guest_control(ControlPlane* control) {
    g_control = control;
}
void set_guest_dom0_memory(Dom0Memory* memory) {
    g_dom0_memory = memory;
}
void console_input_interrupt() {
    if (g_console != nullptr)
        g_console->input_interrupt();
    if (g_events != nullptr)
        (void)g_events->send_virq(pub::kVirqConsole, 0);
}

Console* guest_console() {
    return g_console;
}
VcpuPower* guest_vcpus() {
    return g_vcpus;
}
void set_guest_vcpus(VcpuPower* vcpus, SchedDomain* sched) {
    g_vcpus = vcpus;
    g_dom0_sched = sched;
}
SchedDomain* guest_dom0_sched() {
    return g_dom0_sched;
}
void set_guest_events(EventChannels* events) {
    g_events = events;
}

void handle_hypercall(std::uint64_t* x) {
    const std::uint64_t number = x[16];
    std::int64_t result = kEnosys;
    switch (number) {
        case pub::kHypercallXenVersion:
            result = xen_version(x[0], x[1]);
            break;
        case pub::kHypercallConsoleIo:
            result = console_io(x[0], x[1], x[2]);
            break;
        case pub::kHypercallSchedOp:
            result = sched_op(x[0], x[1]);
            break;
        case pub::kHypercallMemoryOp:
            result = memory_op(x[0], x[1]);
            break;
        case pub::kHypercallGrantTableOp: {
            CallerMemory memory;
            if (x[0] == pub::kGnttabOpMapGrantRef && g_dom0_memory != nullptr) {
                result = g_dom0_memory->map_grant_refs(memory, x[1], x[2]);
            } else if (x[0] == pub::kGnttabOpUnmapGrantRef && g_dom0_memory != nullptr) {
                result = g_dom0_memory->unmap_grant_refs(memory, x[1], x[2]);
            } else if (x[0] == pub::kGnttabOpCopy && g_dom0_memory != nullptr) {
                result = g_dom0_memory->copy_grants(memory, x[1], x[2]);
            } else {
                result = g_grants.op(memory, x[0], x[1], x[2]);
            }
        } break;
        case pub::kHypercallVcpuOp:
            result = vcpu_op(x[0], x[1], x[2]);
            break;
        case pub::kHypercallHvmOp:
            result = hvm_op(x[0], x[1]);
            break;
        case pub::kHypercallEventChannelOp: {
            CallerMemory memory;
            if (g_events == nullptr) {
                result = kEnosys;
            } else if (g_control == nullptr) {
                result = event_channel_op(*g_events, memory, x[0], x[1]);
            } else {
                // dom0 may name the domains it manages; none goes away meanwhile.
                result = g_control->with_domains([&](DomainTable& domains) {
                    ManagedDomainEvents others(domains);
                    return event_channel_op(*g_events, memory, x[0], x[1], &others);
                });
            }
            break;
        }
        case pub::kHypercallVmAssist:
            // VMASST_TYPE_runstate_update_flag: honoured trivially, the record is written once.
            result = x[0] == 0 && x[1] == 5 ? 0 : kEinval;
            break;
        case pub::kHypercallPlatformOp:
            result = platform_op(x[0]);
            break;
        case pub::kHypercallMulticall:
            result = multicall(x[0], x[1]);
            break;
        case TERN_CONTROL_HYPERCALL: {
            // dom0 is the only domain that runs, so the caller is the control domain.
            CallerMemory memory;
            result = g_control != nullptr
                         ? g_control->op(ControlPlane::kControlDomain, memory, x[0])
                         : kEnosys;
        } break;
        case pub::kHypercallPhysdevOp:
            // PCI device notifications from dom0: nothing to do with them (no IOMMU); -ENOSYS
            // is what Xen 4.17 on Arm answers, and Linux takes it as "no passthrough help".
            result = kEnosys;
            break;
        default:
            log_once(number);
            break;
    }
    x[0] = static_cast<std::uint64_t>(result);
}

}  // namespace tern::hv
