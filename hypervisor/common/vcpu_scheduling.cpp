#include "common/vcpu_scheduling.hpp"

#include "common/console.hpp"
#include "common/domain.hpp"
#include "common/vgic.hpp"
#include "lib/format.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/arch/gic.hpp"
#include "tern/arch/timer.hpp"
#include "tern/arch/vcpu_context.hpp"

namespace tern::hv {

namespace {

Scheduler* g_scheduler = nullptr;
Console* g_console = nullptr;
void (*g_kick)(std::uint32_t) = nullptr;
bool (*g_idle_work)() = nullptr;

constexpr std::uint64_t kMpidrRes1 = 1ull << 31;

// The stage 2 (tables and VMID) the vCPUs of `d` run with: a created domain's tables (made
// when its memory was first mapped), or dom0's.
std::uint64_t vttbr_of(const SchedDomain& d) {
    return d.domain != nullptr ? d.domain->stage2().vttbr() : d.vttbr;
}

// When the emulated physical timer of `v` fires (system time; 0: it does not).
std::uint64_t physical_timer_deadline_ns(const SchedVcpu& v) {
    const std::uint64_t ticks = v.physical_timer.deadline();
    if (ticks == 0)
        return 0;
    const std::uint64_t ns = arch::ticks_to_ns(ticks);
    return ns != 0 ? ns : 1;
}

// The emulated physical timer of `v` (about to run, or running here) raises its interrupt if
// it is due.
void fire_physical_timer(SchedVcpu& v) {
    if (v.physical_timer.fire(arch::counter_ticks()))
        (void)v.domain->vgic->raise(v.vcpu, PhysicalTimer::kIntid);
}

// The CPU's timer: the scheduler's next event, or the running vCPU's physical timer.
void program_timer(std::size_t cpu, std::uint64_t now) {
    std::uint64_t next = g_scheduler->next_timer(cpu, now);
    if (const SchedVcpu* v = g_scheduler->current(cpu)) {
        const std::uint64_t timer = physical_timer_deadline_ns(*v);
        if (timer != 0 && timer < next)
            next = timer;
    }
    if (next == Scheduler::kNever)
        arch::hypervisor_timer_cancel();
    else
        arch::hypervisor_timer_set(next);
}

// `v` runs on `cpu` now: its domain's hardware-backed SPIs that target it (dom0's devices')
// are routed there if they went to another CPU, so that they are taken where it runs.
void route_interrupts_here(SchedVcpu& v, std::size_t cpu) {
    if (v.interrupts_cpu == cpu)
        return;
    v.interrupts_cpu = cpu;
    v.domain->vgic->follow_vcpu(v.vcpu);
}

// The first time a vCPU runs, the console says where.
void report_start(SchedVcpu& v, std::size_t cpu) {
    if (!v.fresh || g_console == nullptr)
        return;
    v.fresh = false;
    char line[112];
    lib::BufferSink buffer(line, sizeof line);
    lib::Out(buffer) << "(TERN) d" << std::uint64_t{v.domain->id} << ": vCPU "
                     << std::uint64_t{v.vcpu} << " starts on CPU " << std::uint64_t{cpu} << " at "
                     << lib::Hex{v.context.pc} << "\n";
    g_console->write(buffer.text());
}

}  // namespace

void set_idle_work(bool (*work)()) {
    g_idle_work = work;
}

void set_vcpu_scheduling(Scheduler* scheduler, Console* console, void (*kick)(std::uint32_t cpus)) {
    g_scheduler = scheduler;
    g_console = console;
    g_kick = kick;
}

Scheduler& scheduler() {
    return *g_scheduler;
}

void kick_cpus(std::uint32_t cpus) {
    cpus &= ~(1u << arch::current_cpu_index());
    if (cpus != 0 && g_kick != nullptr)
        g_kick(cpus);
}

SchedVcpu* current_vcpu() {
    return g_scheduler != nullptr ? g_scheduler->current(arch::current_cpu_index()) : nullptr;
}

bool current_vcpu_is_dom0() {
    const SchedVcpu* v = current_vcpu();
    return v != nullptr && v->domain->domain == nullptr;
}

Status start_vcpu(Domain& domain, std::uint32_t vcpu, std::uint64_t entry, std::uint64_t x0) {
    const arch::TlbMaintenance tlb = domain.config().max_vcpus == 1
                                         ? arch::TlbMaintenance::local
                                         : arch::TlbMaintenance::as_issued;
    return start_vcpu(domain.sched(), vcpu, kMpidrRes1 | vcpu, entry, x0, tlb);
}

Status start_vcpu(SchedDomain& domain, std::uint32_t vcpu, std::uint64_t vmpidr,
                  std::uint64_t entry, std::uint64_t x0, arch::TlbMaintenance tlb) {
    auto v = g_scheduler->add(domain, vcpu);
    if (!v.ok())
        return v.status();
    arch::init_vcpu_context(v.value()->context, kMpidrRes1 | vmpidr, entry, x0, tlb);
    kick_cpus(g_scheduler->make_runnable(*v.value(), arch::system_time_ns()));
    return Status::ok;
}

void block_current_vcpu(std::uint64_t deadline_ns) {
    SchedVcpu* v = current_vcpu();
    if (v == nullptr)
        return;
    g_scheduler->block(*v, deadline_ns);
    if (arch::vcpu_interrupt_pending() || v->domain->vgic->has_pending(v->vcpu))
        (void)g_scheduler->wake(*v->domain, v->vcpu, arch::system_time_ns());
}

void reschedule_after_exit(arch::GuestFrame& frame) {
    const std::size_t cpu = arch::current_cpu_index();
    const std::uint64_t now = arch::system_time_ns();
    kick_cpus(g_scheduler->expire(now));
    if (SchedVcpu* current = g_scheduler->current(cpu))
        fire_physical_timer(*current);
    if (g_scheduler->need_resched(cpu, now)) {
        SchedVcpu* current = g_scheduler->current(cpu);
        std::uint64_t timer = 0;
        if (current != nullptr && g_scheduler->keeps_context(cpu)) {
            arch::save_vcpu(current->context, frame);
            const std::uint64_t virtual_timer = arch::vcpu_timer_deadline_ns(current->context);
            const std::uint64_t physical_timer = physical_timer_deadline_ns(*current);
            timer = virtual_timer == 0 || (physical_timer != 0 && physical_timer < virtual_timer)
                        ? physical_timer
                        : virtual_timer;
        } else {
            arch::drop_vcpu();
        }
        SchedVcpu* next = g_scheduler->switch_from(cpu, now, timer);
        if (next == nullptr) {
            arch::hypervisor_timer_cancel();
            arch::park_cpu();  // the idle loop, on a fresh stack
        }
        report_start(*next, cpu);
        fire_physical_timer(*next);
        route_interrupts_here(*next, cpu);
        const SchedDomain& d = *next->domain;
        arch::load_vcpu(next->context, frame, vttbr_of(d), *d.vgic, next->vcpu);
    }
    program_timer(cpu, now);
}

void run_scheduled_vcpus() {
    const std::size_t cpu = arch::current_cpu_index();
    arch::drop_vcpu();
    for (;;) {
        const std::uint64_t now = arch::system_time_ns();
        kick_cpus(g_scheduler->expire(now));
        if (SchedVcpu* v = g_scheduler->pick(cpu, now)) {
            program_timer(cpu, now);
            report_start(*v, cpu);
            fire_physical_timer(*v);
            route_interrupts_here(*v, cpu);
            const SchedDomain& d = *v->domain;
            arch::run_vcpu(v->context, vttbr_of(d), *d.vgic, v->vcpu);
        }
        program_timer(cpu, now);
        if (g_idle_work != nullptr && g_idle_work()) {
            // A piece done: the interrupts that came meanwhile (IRQs are masked here; a
            // device's SPI routed to this CPU may be what a waiting vCPU waits for), then
            // anything to run now?
            arch::handle_irq_from_guest();
            continue;
        }
        arch::wait_for_interrupt();
        arch::handle_irq_from_guest();  // takes the kick or the timer that woke it
    }
}

}  // namespace tern::hv
