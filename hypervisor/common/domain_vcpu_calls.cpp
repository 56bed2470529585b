#include "common/domain_vcpu_calls.hpp"

#include "common/caller_memory.hpp"
#include "common/console.hpp"
#include "common/control_plane.hpp"
#include "common/domain_hypercalls.hpp"
#include "common/event_channel_op.hpp"
#include "common/guest_errno.hpp"
#include "common/vcpu_power.hpp"
#include "common/vcpu_scheduling.hpp"
#include "lib/format.hpp"
#include "public/memory.hpp"
#include "public/sched.hpp"
#include "public/xen.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/arch/guest.hpp"
#include "tern/arch/timer.hpp"
#include "tern/arch/vcpu_context.hpp"

namespace tern::hv {

namespace {

Console* g_console = nullptr;
ControlPlane* g_control = nullptr;
const FrameUsers* g_frame_users = nullptr;

constexpr std::uint64_t kAff0 = 0xff;

struct VcpuHere {
    Domain* domain = nullptr;
    std::uint32_t vcpu = 0;
    SchedVcpu* sched = nullptr;
};

VcpuHere here() {
    SchedVcpu* v = current_vcpu();
    if (v == nullptr)
        return {};
    return {v->domain->domain, v->vcpu, v};
}

const char* reason_name(std::uint32_t reason) {
    static const char* const kNames[] = {"poweroff", "reboot", "suspend", "crash", "watchdog"};
    return reason < 5 ? kNames[reason] : "unknown";
}

// The domain shuts down with `reason`: dom0 is told, and none of its vCPUs runs again (this
// one leaves its CPU on the way out of the trap).
void shut_down(std::uint32_t reason) {
    const VcpuHere vcpu = here();
    if (vcpu.domain == nullptr)
        return;
    lib::Out(*g_console) << "(TERN) d" << std::uint64_t{vcpu.domain->id()} << ": shut down (reason "
                         << reason << ", " << reason_name(reason) << ")\n";
    g_control->domain_shut_itself_down(*vcpu.domain, reason);
    kick_cpus(scheduler().stop(vcpu.domain->sched()));
}

// Its lines go to the console whole, behind "(d<id>) " (Domain::console_line).
std::int64_t console_write(Domain& domain, std::uint64_t count, std::uint64_t buffer) {
    std::uint64_t done = 0;
    char chunk[128];
    while (done < count) {
        const std::uint64_t n = count - done < sizeof chunk ? count - done : sizeof chunk;
        if (!arch::copy_from_guest(buffer + done, chunk, n))
            return kEfault;
        domain.console_line().write(std::string_view(chunk, n), *g_console);
        done += n;
    }
    return static_cast<std::int64_t>(count);
}

// PSCI CPU_ON for another vCPU of the caller's domain: it starts at `entry` with x0 =
// `context` on whichever CPU the scheduler gives it.
std::int64_t cpu_on(Domain& domain, std::uint64_t target, std::uint64_t entry,
                    std::uint64_t context) {
    if ((target & ~kAff0) != 0 || target >= domain.config().max_vcpus)
        return kPsciInvalidParameters;
    const Status s = start_vcpu(domain, static_cast<std::uint32_t>(target), entry, context);
    if (s == Status::already_exists)
        return kPsciAlreadyOn;
    return s == Status::ok ? 0 : kPsciInternalFailure;
}

// A balloon call that stopped short says where (Linux's balloon stops on a BUG when it does).
void report_short_reservation(const Domain& domain, GuestMemory& memory, std::uint64_t cmd,
                              std::uint64_t arg, std::int64_t result) {
    if (cmd != pub::kMemoryOpDecreaseReservation && cmd != pub::kMemoryOpPopulatePhysmap)
        return;
    pub::xen_memory_reservation r{};
    if (g_console == nullptr || !memory.read(arg, r) || result < 0 ||
        static_cast<std::uint64_t>(result) >= r.nr_extents)
        return;
    std::uint64_t gfn = 0;
    (void)memory.read(r.extent_start.p + static_cast<std::uint64_t>(result) * sizeof gfn, gfn);
    lib::Out(*g_console) << "(TERN) d" << std::uint64_t{domain.id()}
                         << (cmd == pub::kMemoryOpDecreaseReservation ? ": decrease_reservation"
                                                                      : ": populate_physmap")
                         << " stopped at extent " << static_cast<std::uint64_t>(result) << " of "
                         << std::uint64_t{r.nr_extents} << " (frame " << lib::Hex{gfn} << ", order "
                         << std::uint64_t{r.extent_order} << ")\n";
}

}  // namespace

void set_domain_vcpu_environment(Console* console, ControlPlane* control,
                                 const FrameUsers* frame_users) {
    g_console = console;
    g_control = control;
    g_frame_users = frame_users;
}

GuestDevices* domain_vcpu_devices() {
    const VcpuHere vcpu = here();
    return vcpu.domain != nullptr ? &vcpu.domain->devices() : nullptr;
}

namespace {

// sched_op: yielding lets the other vCPUs waiting for the CPU go first; blocking waits for an
// interrupt; polling for one of its ports, an interrupt or the poll's timeout.
std::int64_t sched_op(const VcpuHere& vcpu, GuestMemory& memory, std::uint64_t cmd,
                      std::uint64_t arg) {
    switch (cmd) {
        case pub::kSchedOpYield:
            scheduler().yield(*vcpu.sched);
            return 0;
        case pub::kSchedOpBlock:
            block_current_vcpu(0);
            return 0;
        case pub::kSchedOpShutdown: {
            std::uint32_t reason = 0;
            if (!memory.read(arg, reason))
                return kEfault;
            shut_down(reason <= TERN_SHUTDOWN_WATCHDOG ? reason
                                                       : std::uint32_t{TERN_SHUTDOWN_CRASH});
            return 0;
        }
        case pub::kSchedOpPoll: {
            pub::sched_poll poll{};
            if (!memory.read(arg, poll))
                return kEfault;
            constexpr std::uint32_t kMaxPollPorts = 128;
            if (poll.nr_ports > kMaxPollPorts)
                return kEinval;
            pub::evtchn_port_t ports[kMaxPollPorts];
            if (poll.nr_ports != 0 &&
                !memory.read(poll.ports.p, ports, poll.nr_ports * sizeof ports[0]))
                return kEfault;
            for (std::uint32_t i = 0; i < poll.nr_ports; ++i) {
                if (vcpu.domain->events().is_pending(ports[i]))
                    return 0;
            }
            if (poll.timeout != 0 && poll.timeout <= arch::system_time_ns())
                return 0;
            block_current_vcpu(poll.timeout);
            return 0;
        }
        default:
            return kEnosys;
    }
}

}  // namespace

void domain_vcpu_hypercall(std::uint64_t* x) {
    const VcpuHere vcpu = here();
    std::int64_t result = kEnosys;
    if (vcpu.domain == nullptr) {
        x[0] = static_cast<std::uint64_t>(result);
        return;
    }
    Domain& domain = *vcpu.domain;
    CallerMemory memory;
    switch (x[16]) {
        case pub::kHypercallXenVersion:
            result = domain_xen_version(memory, x[0], x[1]);
            break;
        case pub::kHypercallConsoleIo:
            // A domU writes to the hypervisor's console (as Xen's guest_loglvl=all lets it);
            // reading is dom0's.
            result = x[0] == 0 ? console_write(domain, x[1], x[2]) : kEperm;
            break;
        case pub::kHypercallSchedOp:
            result = sched_op(vcpu, memory, x[0], x[1]);
            break;
        case pub::kHypercallMemoryOp:
            // Under the control lock: dom0 maps none of its pages meanwhile.
            if (g_control != nullptr && g_frame_users != nullptr)
                result = g_control->with_domains([&](DomainTable&) {
                    return domain_memory_op(domain, memory, x[0], x[1], *g_frame_users);
                });
            report_short_reservation(domain, memory, x[0], x[1], result);
            break;
        case pub::kHypercallVcpuOp:
            result = domain_vcpu_op(domain, memory, vcpu.vcpu, x[0], x[1], x[2]);
            break;
        case pub::kHypercallHvmOp:
            result = domain_hvm_op(domain, memory, x[0], x[1]);
            break;
        case pub::kHypercallEventChannelOp:
            result = event_channel_op(domain.events(), memory, x[0], x[1]);
            break;
        case pub::kHypercallGrantTableOp:
            result = domain.grants().op(memory, x[0], x[1], x[2]);
            break;
        case pub::kHypercallVmAssist:
            // VMASST_TYPE_runstate_update_flag: honoured trivially, the record is written once.
            result = x[0] == 0 && x[1] == 5 ? 0 : kEinval;
            break;
        case TERN_CONTROL_HYPERCALL:
            result = g_control->op(domain.id(), memory, x[0]);  // -EPERM: not the control domain
            break;
        default:
            break;
    }
    x[0] = static_cast<std::uint64_t>(result);
}

void domain_vcpu_smccc(std::uint64_t* x) {
    const VcpuHere vcpu = here();
    switch (static_cast<std::uint32_t>(x[0])) {
        case 0x84000000:  // PSCI_VERSION: 1.1
            x[0] = 0x10001;
            return;
        case kPsciFeatures:
            x[0] = static_cast<std::uint64_t>(
                psci_features(static_cast<std::uint32_t>(x[1]), /*with_smccc_version=*/false));
            return;
        case kPsciMigrateInfoType:
            x[0] = static_cast<std::uint64_t>(kMigrateInfoNoTrustedOs);
            return;
        case 0x84000002:  // CPU_OFF: this vCPU stops and leaves its CPU
            if (vcpu.sched != nullptr)
                scheduler().go_offline(*vcpu.sched);
            return;
        case 0x84000003:  // CPU_ON (32- and 64-bit)
        case 0xc4000003:
            x[0] = static_cast<std::uint64_t>(vcpu.domain != nullptr
                                                  ? cpu_on(*vcpu.domain, x[1], x[2], x[3])
                                                  : kPsciNotSupported);
            return;
        case 0x84000004:  // AFFINITY_INFO (32- and 64-bit), level 0 only
        case 0xc4000004:
            if (vcpu.domain == nullptr || x[2] != 0 ||
                (x[1] & ~kAff0) >= vcpu.domain->config().max_vcpus) {
                x[0] = static_cast<std::uint64_t>(kPsciInvalidParameters);
            } else {
                x[0] = scheduler().is_online(vcpu.domain->sched(),
                                             static_cast<std::uint32_t>(x[1] & kAff0))
                           ? 0   // ON
                           : 1;  // OFF
            }
            return;
        case 0x84000008:  // SYSTEM_OFF
            shut_down(TERN_SHUTDOWN_POWEROFF);
            return;
        case 0x84000009:  // SYSTEM_RESET
            shut_down(TERN_SHUTDOWN_REBOOT);
            return;
        default:
            x[0] = static_cast<std::uint64_t>(kPsciNotSupported);
            return;
    }
}

void domain_vcpu_wait(bool wfe) {
    SchedVcpu* v = current_vcpu();
    if (v == nullptr)
        return;
    if (wfe)
        scheduler().yield(*v);  // a spin-wait: let another run meanwhile
    else
        block_current_vcpu(0);
}

void domain_vcpu_crash(std::uint64_t esr, std::uint64_t pc, std::uint64_t far) {
    const VcpuHere vcpu = here();
    lib::Out(*g_console) << "(TERN) d"
                         << (vcpu.domain != nullptr ? std::uint64_t{vcpu.domain->id()} : 0)
                         << ": unhandled trap EC " << lib::Hex{(esr >> 26) & 0x3f} << " at "
                         << lib::Hex{pc} << ", FAR " << lib::Hex{far} << ": the domain crashed\n";
    shut_down(TERN_SHUTDOWN_CRASH);
}

}  // namespace tern::hv
