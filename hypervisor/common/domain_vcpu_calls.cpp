#include "common/domain_vcpu_calls.hpp"

#include "common/caller_memory.hpp"
#include "common/console.hpp"
#include "common/control_plane.hpp"
#include "common/cpu_pool.hpp"
#include "common/domain_hypercalls.hpp"
#include "common/event_channel_op.hpp"
#include "common/guest_errno.hpp"
#include "lib/format.hpp"
#include "public/sched.hpp"
#include "public/xen.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/arch/guest.hpp"
#include "tern/arch/timer.hpp"

namespace tern::hv {

namespace {

Console* g_console = nullptr;
ControlPlane* g_control = nullptr;
CpuPool* g_pool = nullptr;

constexpr std::int64_t kPsciNotSupported = -1;
constexpr std::uint64_t kAff0 = 0xff;

CpuAssignment here() {
    return g_pool->running_on(arch::current_cpu_index()).value_or(CpuAssignment{});
}

const char* reason_name(std::uint32_t reason) {
    static const char* const kNames[] = {"poweroff", "reboot", "suspend", "crash", "watchdog"};
    return reason < 5 ? kNames[reason] : "unknown";
}

// The vCPU is done: its domain shuts down with `reason`, dom0 is told, the CPU is freed.
[[noreturn]] void shut_down(std::uint32_t reason) {
    const CpuAssignment vcpu = here();
    if (vcpu.domain != nullptr) {
        lib::Out(*g_console) << "(TERN) d" << std::uint64_t{vcpu.domain->id()}
                             << ": shut down (reason " << reason << ", " << reason_name(reason)
                             << ")\n";
        g_control->domain_shut_itself_down(*vcpu.domain, reason);
    }
    g_pool->release(arch::current_cpu_index());
    arch::park_cpu();
}

std::int64_t console_write(pub::domid_t domain, std::uint64_t count, std::uint64_t buffer) {
    char line[160];
    lib::BufferSink sink(line, sizeof line);
    lib::Out out(sink);
    out << "(d" << std::uint64_t{domain} << ") ";
    std::uint64_t done = 0;
    char chunk[120];
    while (done < count) {
        const std::uint64_t n = count - done < sizeof chunk ? count - done : sizeof chunk;
        if (!arch::copy_from_guest(buffer + done, chunk, n))
            return kEfault;
        g_console->write(sink.text());
        g_console->write(std::string_view(chunk, n));
        done += n;
    }
    return static_cast<std::int64_t>(count);
}

// PSCI CPU_ON for another vCPU of the caller's domain: it gets a free CPU of its own and
// starts there at `entry` with x0 = `context`.
std::int64_t cpu_on(Domain& domain, std::uint64_t target, std::uint64_t entry,
                    std::uint64_t context) {
    if ((target & ~kAff0) != 0 || target >= domain.config().max_vcpus)
        return kPsciInvalidParameters;
    const auto vcpu = static_cast<std::uint32_t>(target);
    if (g_pool->holds_vcpu(domain, vcpu))
        return kPsciAlreadyOn;
    if (domain.set_vcpu_start_on(vcpu, VcpuStart{entry, context}) != Status::ok)
        return kPsciInternalFailure;
    const auto cpu = g_pool->assign_vcpu(domain, vcpu);
    if (cpu.status() == Status::already_exists)
        return kPsciAlreadyOn;
    if (!cpu.ok())
        return kPsciInternalFailure;  // no free CPU: sharing CPUs is the scheduler's
    arch::wake_cpus();
    return 0;
}

}  // namespace

void set_domain_vcpu_environment(Console* console, ControlPlane* control, CpuPool* pool) {
    g_console = console;
    g_control = control;
    g_pool = pool;
}

GuestDevices* domain_vcpu_devices() {
    const CpuAssignment vcpu = here();
    return vcpu.domain != nullptr ? &vcpu.domain->devices() : nullptr;
}

namespace {

// sched_op for a vCPU that has its CPU to itself: yielding has nobody to yield to; blocking
// and polling wait for an interrupt (an event kicks the CPU) or the poll's timeout.
std::int64_t sched_op(const CpuAssignment& vcpu, GuestMemory& memory, std::uint64_t cmd,
                      std::uint64_t arg) {
    switch (cmd) {
        case pub::kSchedOpYield:
            return 0;
        case pub::kSchedOpBlock:
            if (!vcpu.domain->events().upcall_pending(vcpu.vcpu))
                arch::wait_for_interrupt();
            return 0;
        case pub::kSchedOpShutdown: {
            std::uint32_t reason = 0;
            if (!memory.read(arg, reason))
                return kEfault;
            shut_down(reason <= TERN_SHUTDOWN_WATCHDOG ? reason
                                                       : std::uint32_t{TERN_SHUTDOWN_CRASH});
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
            if (poll.timeout != 0) {
                if (poll.timeout <= arch::system_time_ns())
                    return 0;
                arch::hypervisor_timer_set(poll.timeout);
            }
            arch::wait_for_interrupt();
            arch::hypervisor_timer_cancel();
            return 0;
        }
        default:
            return kEnosys;
    }
}

}  // namespace

void domain_vcpu_hypercall(std::uint64_t* x) {
    const CpuAssignment vcpu = here();
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
            result = x[0] == 0 ? console_write(domain.id(), x[1], x[2]) : kEperm;
            break;
        case pub::kHypercallSchedOp:
            result = sched_op(vcpu, memory, x[0], x[1]);
            break;
        case pub::kHypercallMemoryOp:
            result = domain_memory_op(domain, memory, x[0], x[1]);
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
    const CpuAssignment vcpu = here();
    switch (static_cast<std::uint32_t>(x[0])) {
        case 0x84000000:  // PSCI_VERSION: 1.1
            x[0] = 0x10001;
            return;
        case 0x84000002:  // CPU_OFF: this vCPU stops; its CPU goes back to the pool
            g_pool->release(arch::current_cpu_index());
            arch::park_cpu();
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
                x[0] = g_pool->holds_vcpu(*vcpu.domain, static_cast<std::uint32_t>(x[1] & kAff0))
                           ? 0   // ON
                           : 1;  // OFF
            }
            return;
        case 0x84000008:  // SYSTEM_OFF
            shut_down(TERN_SHUTDOWN_POWEROFF);
        case 0x84000009:  // SYSTEM_RESET
            shut_down(TERN_SHUTDOWN_REBOOT);
        default:
            x[0] = static_cast<std::uint64_t>(kPsciNotSupported);
            return;
    }
}

void domain_vcpu_crash(std::uint64_t esr, std::uint64_t pc, std::uint64_t far) {
    const CpuAssignment vcpu = here();
    lib::Out(*g_console) << "(TERN) d"
                         << (vcpu.domain != nullptr ? std::uint64_t{vcpu.domain->id()} : 0)
                         << ": unhandled trap EC " << lib::Hex{(esr >> 26) & 0x3f} << " at "
                         << lib::Hex{pc} << ", FAR " << lib::Hex{far} << ": the domain crashed\n";
    shut_down(TERN_SHUTDOWN_CRASH);
}

void domain_vcpu_interrupted() {
    if (!g_pool->stop_requested(arch::current_cpu_index()))
        return;
    g_pool->release(arch::current_cpu_index());
    arch::park_cpu();
}

}  // namespace tern::hv
