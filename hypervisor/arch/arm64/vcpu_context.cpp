// Moving a domain's vCPU between a physical CPU and its VcpuContext: general registers (from
// and to the exception frame), the EL1 system registers a guest kernel owns (Arm ARM D19.2),
// FP/SIMD, the EL1 virtual timer (D11.2.4) and the GIC's virtual CPU interface (IHI 0069
// 12.4). cortex-a57-class CPUs: no SVE, pointer authentication or MTE state to keep.
#include <atomic>
#include <cstddef>

#include "arch/arm64/exit_counts.hpp"
#include "arch/arm64/guest_traps.hpp"
#include "arch/arm64/vcpu_switch.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/arch/gic.hpp"
#include "tern/arch/guest.hpp"
#include "tern/arch/vcpu_context.hpp"

extern "C" void tern_fpsimd_save(std::uint64_t* regs);
extern "C" void tern_fpsimd_load(const std::uint64_t* regs);
extern "C" [[noreturn]] void tern_resume_frame(tern::arch::GuestFrame* frame);

namespace tern::arch {
namespace {

static_assert(offsetof(VcpuContext, fp) % 16 == 0);
static_assert(offsetof(VcpuContext, fpsr) == offsetof(VcpuContext, fp) + 64 * 8);
static_assert(offsetof(VcpuContext, fpcr) == offsetof(VcpuContext, fpsr) + 8);

// The EL1/EL0 registers kept per vCPU, in VcpuContext::sysregs order.
// clang-format off
#define TERN_VCPU_SYSREGS(X)                                                              \
    X(0, sctlr_el1) X(1, cpacr_el1) X(2, ttbr0_el1) X(3, ttbr1_el1) X(4, tcr_el1)         \
    X(5, esr_el1) X(6, afsr0_el1) X(7, afsr1_el1) X(8, far_el1) X(9, mair_el1)            \
    X(10, amair_el1) X(11, vbar_el1) X(12, contextidr_el1) X(13, tpidr_el0)               \
    X(14, tpidrro_el0) X(15, tpidr_el1) X(16, cntkctl_el1) X(17, par_el1) X(18, sp_el0)   \
    X(19, sp_el1) X(20, elr_el1) X(21, spsr_el1) X(22, csselr_el1) X(23, mdscr_el1)
// clang-format on

void save_sysregs(std::uint64_t* r) {
#define TERN_SAVE(i, name) asm volatile("mrs %0, " #name : "=r"(r[i]));
    TERN_VCPU_SYSREGS(TERN_SAVE)
#undef TERN_SAVE
}

// Writes only the registers that differ from what the CPU holds, so that a vCPU loaded again
// where it ran last (the CPU still holds its values) writes none. The result is the same
// register state either way; under QEMU's TCG it saves a flush of the whole TLB that every
// write of TCR_EL1 costs, even of the value it holds.
void load_sysregs(const std::uint64_t* r) {
#define TERN_LOAD(i, name)                                   \
    {                                                        \
        std::uint64_t held = 0;                              \
        asm volatile("mrs %0, " #name : "=r"(held));         \
        if (held != r[i]) {                                  \
            asm volatile("msr " #name ", %0" : : "r"(r[i])); \
            count(ExitCount::sysreg_write);                  \
        }                                                    \
    }
    TERN_VCPU_SYSREGS(TERN_LOAD)
#undef TERN_LOAD
}

constexpr std::uint64_t kTimerEnable = 1;
constexpr std::uint64_t kTimerMask = 2;
constexpr std::uint64_t kResetSctlr = 0x30d00800;  // RES1 bits; MMU and caches off
constexpr std::uint64_t kResetPstate = 0x3c5;      // EL1h, D, A, I, F masked

std::uint64_t counter_frequency() {
    std::uint64_t f = 0;
    asm volatile("mrs %0, cntfrq_el0" : "=r"(f));
    return f != 0 ? f : 1;
}

// The incarnation (VcpuContext::incarnation) of the vCPU each CPU loaded last.
std::uint64_t g_last_loaded[kMaxCpus] = {};
std::atomic<std::uint64_t> g_incarnations{0};

// Whether the EL1 TLB entries this CPU holds for the VMID of `c` may be kept as `c` is loaded
// here (and notes that it is). They may when `c` is the vCPU this CPU loaded last and it has
// not been loaded on another CPU since: then every entry tagged with its VMID here was made by
// it (another vCPU of its domain, sharing the VMID, would have been loaded here in between),
// the local TLB invalidations it made since ran here, and every change of its stage 2 (and
// every VMID reuse after a domain's end, which gives its vCPUs new incarnations) is flushed on
// every CPU by its own broadcast TLBI where it is made. Otherwise: flush, as on a new CPU.
StaleTlb tlb_for_load(VcpuContext& c) {
    const std::size_t cpu = current_cpu_index() % kMaxCpus;
    const bool same = g_last_loaded[cpu] == c.incarnation && c.loaded_on == cpu + 1;
    g_last_loaded[cpu] = c.incarnation;
    c.loaded_on = cpu + 1;
    return same ? StaleTlb::keep : StaleTlb::flush;
}

void load_everything_but_the_frame(VcpuContext& c, std::uint64_t vttbr, hv::Vgic& vgic,
                                   std::uint32_t vcpu) {
    count(ExitCount::vcpu_load);
    const StaleTlb tlb = tlb_for_load(c);
    if (tlb == StaleTlb::keep)
        count(ExitCount::vcpu_reload);
    enter_domain_vcpu_state(vttbr, c.vmpidr, tlb, c.tlb_maintenance);
    load_sysregs(c.sysregs);
    tern_fpsimd_load(c.fp);
    load_virtual_interface(c, vgic, vcpu);
    asm volatile(
        "msr cntv_cval_el0, %0\n"
        "msr cntv_ctl_el0, %1\n"
        "isb\n"
        :
        : "r"(c.timer_cval), "r"(c.timer_ctl)
        : "memory");
    gic_enable_ppi(current_cpu_id(), kVirtualTimerPpi, true);
}

}  // namespace

void init_vcpu_context(VcpuContext& context, std::uint64_t vmpidr, std::uint64_t entry,
                       std::uint64_t x0, TlbMaintenance tlb) {
    context = VcpuContext{};
    context.incarnation = g_incarnations.fetch_add(1, std::memory_order_relaxed) + 1;
    context.x[0] = x0;
    context.pc = entry;
    context.pstate = kResetPstate;
    context.vmpidr = vmpidr;
    context.sysregs[0] = kResetSctlr;
    context.tlb_maintenance = tlb;
}

std::uint64_t vcpu_timer_deadline_ns(const VcpuContext& context) {
    if ((context.timer_ctl & (kTimerEnable | kTimerMask)) != kTimerEnable)
        return 0;
    const std::uint64_t f = counter_frequency();
    const std::uint64_t ticks = context.timer_cval;
    const std::uint64_t ns = (ticks / f) * 1000000000ull + (ticks % f) * 1000000000ull / f;
    return ns != 0 ? ns : 1;
}

void save_vcpu(VcpuContext& c, const GuestFrame& frame) {
    for (std::size_t i = 0; i < 31; ++i)
        c.x[i] = frame.x[i];
    c.pc = frame.elr;
    c.pstate = frame.spsr;
    asm volatile("mrs %0, vmpidr_el2" : "=r"(c.vmpidr));
    save_sysregs(c.sysregs);
    tern_fpsimd_save(c.fp);
    asm volatile(
        "mrs %0, cntv_ctl_el0\n"
        "mrs %1, cntv_cval_el0\n"
        "msr cntv_ctl_el0, xzr\n"
        "isb\n"
        : "=r"(c.timer_ctl), "=r"(c.timer_cval)
        :
        : "memory");
    save_virtual_interface(c);
}

void drop_vcpu() {
    leave_domain_vcpu();
}

void load_vcpu(VcpuContext& c, GuestFrame& frame, std::uint64_t vttbr, hv::Vgic& vgic,
               std::uint32_t vcpu) {
    load_everything_but_the_frame(c, vttbr, vgic, vcpu);
    for (std::size_t i = 0; i < 31; ++i)
        frame.x[i] = c.x[i];
    frame.elr = c.pc;
    frame.spsr = c.pstate;
    flush_list_registers();
}

void run_vcpu(VcpuContext& c, std::uint64_t vttbr, hv::Vgic& vgic, std::uint32_t vcpu) {
    GuestFrame frame{};
    load_vcpu(c, frame, vttbr, vgic, vcpu);
    tern_resume_frame(&frame);
}

}  // namespace tern::arch
