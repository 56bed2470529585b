// The virtual CPU interface (IHI 0069 11.2, 12.4): ICH_HCR_EL2, ICH_VTR_EL2 and the list
// registers ICH_LR<n>_EL2, whose fields are vINTID [31:0], pINTID [44:32], priority [55:48],
// group [60], HW [61] and state [63:62] (1 pending, 2 active, 3 both). Physical interrupts
// taken from the guest are acknowledged here; those that belong to the guest are handed to
// its Vgic and reach it through a list register with the HW bit.
#include <cstddef>

#include <atomic>
#include "arch/arm64/exit_counts.hpp"
#include "arch/arm64/guest_traps.hpp"
#include "arch/arm64/vcpu_switch.hpp"
#include "common/vgic.hpp"
#include "lib/format.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/arch/gic.hpp"
#include "tern/arch/guest.hpp"
#include "tern/arch/timer.hpp"

namespace tern::arch {
namespace {

constexpr std::uint64_t kLrStateShift = 62;
constexpr std::uint64_t kLrPending = 1ull << kLrStateShift;
constexpr std::uint64_t kLrActive = 2ull << kLrStateShift;
constexpr std::uint64_t kLrHw = 1ull << 61;
constexpr std::uint64_t kLrGroup1 = 1ull << 60;
constexpr std::uint64_t kHcrEn = 1;
constexpr std::uint64_t kHcrUie = 1ull << 1;  // maintenance when at most one LR is valid

struct CpuVgic {
    hv::Vgic* vgic = nullptr;
    std::uint32_t vcpu = 0;
};
CpuVgic g_cpu[kMaxCpus];
hv::Vgic* g_hardware_vgic = nullptr;
std::uint32_t g_hypervisor_intid = 0;
void (*g_hypervisor_handler)() = nullptr;
// clang-format off (it does not settle on one layout for this list)
#define TERN_LR_CASES(X) \
    X(0, C12, 0)         \
    X(1, C12, 1)         \
    X(2, C12, 2)         \
    X(3, C12, 3)         \
    X(4, C12, 4)         \
    X(5, C12, 5)         \
    X(6, C12, 6)         \
    X(7, C12, 7)         \
    X(8, C13, 0)         \
    X(9, C13, 1)         \
    X(10, C13, 2)        \
    X(11, C13, 3)        \
    X(12, C13, 4)        \
    X(13, C13, 5)        \
    X(14, C13, 6)        \
    X(15, C13, 7)
// clang-format on

std::uint64_t read_lr(std::uint32_t n) {
    std::uint64_t v = 0;
    switch (n) {
#define TERN_READ_LR(index, crm, op2)                              \
    case index:                                                    \
        asm volatile("mrs %0, S3_4_C12_" #crm "_" #op2 : "=r"(v)); \
        break;
        TERN_LR_CASES(TERN_READ_LR)
#undef TERN_READ_LR
        default:
            break;
    }
    return v;
}

void write_lr(std::uint32_t n, std::uint64_t v) {
    switch (n) {
#define TERN_WRITE_LR(index, crm, op2)                                 \
    case index:                                                        \
        asm volatile("msr S3_4_C12_" #crm "_" #op2 ", %0" : : "r"(v)); \
        break;
        TERN_LR_CASES(TERN_WRITE_LR)
#undef TERN_WRITE_LR
        default:
            break;
    }
}

std::uint32_t list_registers() {
    std::uint64_t vtr = 0;
    asm volatile("mrs %0, S3_4_C12_C11_1" : "=r"(vtr));  // ICH_VTR_EL2.ListRegs
    return static_cast<std::uint32_t>(vtr & 0xf) + 1;    // at most 16
}

void write_hcr(std::uint64_t v) {
    asm volatile("msr S3_4_C12_C11_0, %0\n isb" : : "r"(v));  // ICH_HCR_EL2
}

std::atomic<std::uint32_t> g_dump_requests{0};
lib::Sink* g_dump_sink = nullptr;

void dump_here() {
    if (g_dump_sink == nullptr)
        return;
    char line[1024];
    lib::BufferSink buffer(line, sizeof line);
    lib::Out out(buffer);
    std::uint64_t hcr = 0, misr = 0, elrsr = 0, vmcr = 0, ctl = 0, cval = 0, cnt = 0, ap1 = 0,
                  elr = 0, spsr = 0;
    asm volatile("mrs %0, S3_4_C12_C11_0" : "=r"(hcr));
    asm volatile("mrs %0, S3_4_C12_C11_2" : "=r"(misr));
    asm volatile("mrs %0, S3_4_C12_C11_5" : "=r"(elrsr));
    asm volatile("mrs %0, S3_4_C12_C11_7" : "=r"(vmcr));
    asm volatile("mrs %0, S3_4_C12_C9_0" : "=r"(ap1));
    asm volatile("mrs %0, cntv_ctl_el0" : "=r"(ctl));
    asm volatile("mrs %0, cntv_cval_el0" : "=r"(cval));
    asm volatile("mrs %0, cntvct_el0" : "=r"(cnt));
    asm volatile("mrs %0, elr_el2" : "=r"(elr));  // where the guest was
    asm volatile("mrs %0, spsr_el2" : "=r"(spsr));
    out << "(TERN) vgic CPU " << std::uint64_t{current_cpu_index()} << " hcr " << lib::Hex{hcr}
        << " misr " << lib::Hex{misr} << " elrsr " << lib::Hex{elrsr} << " vmcr " << lib::Hex{vmcr}
        << " ap1r0 " << lib::Hex{ap1} << " cntv_ctl " << lib::Hex{ctl} << " cval-cnt "
        << lib::Hex{cval - cnt} << " pc " << lib::Hex{elr} << " pstate " << lib::Hex{spsr}
        << "\n(TERN)   LRs";
    for (std::uint32_t n = 0; n < list_registers(); ++n)
        out << " " << lib::Hex{read_lr(n)};
    out << "\n";
    print_exit_counts(out);
    g_dump_sink->write(buffer.text());
}

CpuVgic& here() {
    return g_cpu[current_cpu_index() % kMaxCpus];
}

}  // namespace

void set_cpu_vcpu(hv::Vgic* vgic, std::uint32_t vcpu) {
    here() = CpuVgic{vgic, vcpu};
    for (std::uint32_t n = 0; n < list_registers(); ++n)
        write_lr(n, 0);
    asm volatile(
        "msr S3_4_C12_C8_0, xzr\n"   // ICH_AP0R0_EL2
        "msr S3_4_C12_C9_0, xzr\n"   // ICH_AP1R0_EL2
        "msr S3_4_C12_C11_7, xzr\n"  // ICH_VMCR_EL2
        ::
            : "memory");
    write_hcr(kHcrEn);
}

void set_hardware_interrupt_vgic(hv::Vgic* vgic) {
    g_hardware_vgic = vgic;
}

void save_virtual_interface(VcpuContext& context) {
    const std::uint32_t count = list_registers();
    for (std::uint32_t n = 0; n < 16; ++n)
        context.lrs[n] = n < count ? read_lr(n) : 0;
    asm volatile(
        "mrs %0, S3_4_C12_C8_0\n"   // ICH_AP0R0_EL2
        "mrs %1, S3_4_C12_C9_0\n"   // ICH_AP1R0_EL2
        "mrs %2, S3_4_C12_C11_7\n"  // ICH_VMCR_EL2
        : "=r"(context.ap0r0), "=r"(context.ap1r0), "=r"(context.vmcr));
    set_cpu_vcpu(nullptr, 0);
}

void load_virtual_interface(const VcpuContext& context, hv::Vgic& vgic, std::uint32_t vcpu) {
    set_cpu_vcpu(&vgic, vcpu);
    const std::uint32_t count = list_registers();
    for (std::uint32_t n = 0; n < count; ++n)
        write_lr(n, context.lrs[n]);
    asm volatile(
        "msr S3_4_C12_C8_0, %0\n"
        "msr S3_4_C12_C9_0, %1\n"
        "msr S3_4_C12_C11_7, %2\n"
        "isb\n"
        :
        : "r"(context.ap0r0), "r"(context.ap1r0), "r"(context.vmcr)
        : "memory");
}

bool vcpu_interrupt_pending() {
    const std::uint32_t count = list_registers();
    for (std::uint32_t n = 0; n < count; ++n) {
        if ((read_lr(n) & kLrPending) != 0)
            return true;
    }
    return false;
}

void vgic_write_sgi1r(std::uint64_t value) {
    const CpuVgic& cpu = here();
    if (cpu.vgic != nullptr)
        cpu.vgic->write_sgi1r(cpu.vcpu, value);
}

void set_hypervisor_irq(std::uint32_t intid, void (*handler)()) {
    g_hypervisor_intid = intid;
    g_hypervisor_handler = handler;
    gic_set_spi_edge(intid, false);
    gic_route_spi(intid, current_cpu_id());
    gic_enable_spi(intid, true);
}

void request_vgic_dump(lib::Sink* sink) {
    g_dump_sink = sink;
    g_dump_requests.store(~0u);
    dump_here();
    // Every other CPU takes a kick (ICC_SGI1R_EL1.IRM: all but this one) and dumps its own.
    const std::uint64_t all_others = (1ull << 40) | (std::uint64_t{kKickSgi} << 24);
    asm volatile("dsb ishst\n msr S3_0_C12_C11_5, %0\n isb" : : "r"(all_others) : "memory");
}

void handle_irq_from_guest() {
    const CpuVgic& cpu = here();
    const std::uint32_t me = 1u << current_cpu_index();
    if (g_dump_requests.fetch_and(~me) & me)
        dump_here();
    for (;;) {
        std::uint64_t iar = 0;
        asm volatile("mrs %0, S3_0_C12_C12_0" : "=r"(iar));  // ICC_IAR1_EL1
        const auto intid = static_cast<std::uint32_t>(iar & 0xffffff);
        if (intid >= 1020)
            break;  // spurious: nothing (more) pending
        asm volatile("msr S3_0_C12_C12_1, %0\n isb" : : "r"(iar));  // ICC_EOIR1_EL1: drop
        const bool guests = cpu.vgic != nullptr && intid != kKickSgi && intid != kMaintenancePpi &&
                            cpu.vgic->is_hw(intid);
        // dom0's device SPI taken where dom0's target vCPU does not run (another domain's
        // vCPU or nobody is here): its Vgic makes it pending for that vCPU and wakes it.
        hv::Vgic* const owner = intid >= 32 && intid < 1020 && g_hardware_vgic != nullptr &&
                                        g_hardware_vgic != cpu.vgic && g_hardware_vgic->is_hw(intid)
                                    ? g_hardware_vgic
                                    : nullptr;
        if (intid == kVirtualTimerPpi && cpu.vgic != nullptr && !guests) {
            // A domain's virtual timer fired: it is masked until the guest sets it again (as
            // Linux does in its handler) and reaches the vCPU as a virtual interrupt, which
            // moves with the vCPU to whichever CPU runs it next.
            std::uint64_t ctl = 0;
            asm volatile("mrs %0, cntv_ctl_el0" : "=r"(ctl));
            asm volatile("msr cntv_ctl_el0, %0\n isb" : : "r"(ctl | 2));
            (void)cpu.vgic->raise(cpu.vcpu, intid);
            asm volatile("msr S3_0_C12_C11_1, %0\n isb" : : "r"(iar));  // ICC_DIR_EL1
        } else if (owner != nullptr) {
            (void)owner->raise(owner->target_of(intid), intid);  // active until its EOI
        } else if (guests) {
            // Stays active until the guest deactivates it through the HW list register.
            const std::uint32_t vcpu = intid < 32 ? cpu.vcpu : cpu.vgic->target_of(intid);
            (void)cpu.vgic->raise(vcpu, intid);
        } else {
            // The maintenance interrupt is level: it stays asserted while ICH_HCR_EL2.UIE
            // and an empty list make it so. Drop UIE here; the flush on the way back sets it
            // again if interrupts are still waiting for room.
            if (intid == kMaintenancePpi)
                write_hcr(kHcrEn);
            if (intid == kHypervisorTimerPpi)
                hypervisor_timer_cancel();  // it woke a waiting CPU; that was its job
            if (intid == g_hypervisor_intid && g_hypervisor_handler != nullptr)
                g_hypervisor_handler();
            asm volatile("msr S3_0_C12_C11_1, %0\n isb" : : "r"(iar));  // ICC_DIR_EL1
        }
    }
}

void flush_list_registers() {
    const CpuVgic& cpu = here();
    if (cpu.vgic == nullptr)
        return;
    const std::uint32_t count = list_registers();
    std::uint64_t lrs[16] = {};
    std::uint32_t free_slots[16] = {};
    std::uint32_t nfree = 0;
    for (std::uint32_t n = 0; n < count; ++n) {
        lrs[n] = read_lr(n);
        if ((lrs[n] >> kLrStateShift) == 0)
            free_slots[nfree++] = n;
    }
    hv::Vgic::Pending pending[16];
    const std::size_t got = cpu.vgic->take_pending(cpu.vcpu, pending, nfree);
    std::uint32_t used = 0;
    for (std::size_t k = 0; k < got; ++k) {
        const hv::Vgic::Pending& p = pending[k];
        // Already in a list register: a software interrupt that is active there becomes
        // pending and active; anything else is there already.
        bool merged = false;
        for (std::uint32_t n = 0; n < count && !merged; ++n) {
            if ((lrs[n] >> kLrStateShift) == 0 || static_cast<std::uint32_t>(lrs[n]) != p.intid)
                continue;
            merged = true;
            if ((lrs[n] & kLrHw) == 0 && (lrs[n] & kLrActive) != 0 && (lrs[n] & kLrPending) == 0)
                write_lr(n, lrs[n] | kLrPending);
        }
        if (merged)
            continue;
        std::uint64_t lr = kLrPending | kLrGroup1 | (std::uint64_t{p.priority} << 48) | p.intid;
        if (p.hw)
            lr |= kLrHw | (std::uint64_t{p.intid} << 32);
        write_lr(free_slots[used++], lr);
    }
    // More than the list registers hold: ask for a maintenance interrupt when they drain.
    write_hcr(cpu.vgic->has_pending(cpu.vcpu) ? kHcrEn | kHcrUie : kHcrEn);
}

}  // namespace tern::arch
