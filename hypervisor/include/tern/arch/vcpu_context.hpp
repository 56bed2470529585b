// Declares VcpuContext: everything of a domain's vCPU that lives in a physical CPU while it
// runs and must be kept while another vCPU has the CPU — its general registers, pc and
// pstate, its EL1 system registers, FP/SIMD registers, virtual timer and the virtual CPU
// interface of the GIC (list registers, active priorities, VMCR) — and the arch hooks that
// move it between a CPU and memory. The scheduler (common/scheduler) keeps one per vCPU.
#pragma once

#include <cstdint>

namespace tern::hv {
class Vgic;
}

namespace tern::arch {

struct GuestFrame;

// Where the TLB invalidations a vCPU makes at EL1 take effect.
enum class TlbMaintenance : std::uint8_t {
    // As the guest issued them: an inner-shareable TLBI reaches every CPU.
    as_issued,
    // Trapped (HCR_EL2.TTLB) and run on the CPU the vCPU runs on, only: for a domain's only
    // vCPU, whose entries on any other CPU are flushed before it runs there again (load_vcpu).
    // Under QEMU's TCG a broadcast TLBI stops every emulated CPU; a trapped local one does not.
    local,
};

struct VcpuContext {
    std::uint64_t x[31];
    std::uint64_t pc;
    std::uint64_t pstate;
    std::uint64_t vmpidr;
    // EL1 (and EL0) system registers, in the order arch/arm64/vcpu_context.cpp lists them.
    std::uint64_t sysregs[24];
    // FP/SIMD: q0-q31, then FPSR and FPCR.
    alignas(16) std::uint64_t fp[64];
    std::uint64_t fpsr;
    std::uint64_t fpcr;
    // The EL1 virtual timer (CNTV_CTL_EL0, CNTV_CVAL_EL0).
    std::uint64_t timer_ctl;
    std::uint64_t timer_cval;
    // The virtual CPU interface (ICH_LR<n>_EL2, ICH_AP0R0_EL2, ICH_AP1R0_EL2, ICH_VMCR_EL2).
    std::uint64_t lrs[16];
    std::uint64_t ap0r0;
    std::uint64_t ap1r0;
    std::uint64_t vmcr;
    // For keeping TLB entries across loads (arch/arm64/vcpu_context.cpp): a number no other
    // vCPU ever has (init_vcpu_context draws a new one), and the CPU index it was last loaded
    // on plus one (0: never loaded).
    std::uint64_t incarnation;
    std::uint64_t loaded_on;
    TlbMaintenance tlb_maintenance;
};

// A vCPU that has not run yet: it starts at EL1 at `entry` with x0 = `x0`, MMU and caches
// off, interrupts masked, with virtual MPIDR `vmpidr` and every other register reset; its TLB
// invalidations act as `tlb` says.
void init_vcpu_context(VcpuContext& context, std::uint64_t vmpidr, std::uint64_t entry,
                       std::uint64_t x0, TlbMaintenance tlb);

// The system time (ns) at which the saved vCPU's virtual timer fires, if it is enabled and
// unmasked; 0 when it does not.
std::uint64_t vcpu_timer_deadline_ns(const VcpuContext& context);

// The vCPU that runs on this CPU and trapped with `frame` leaves it: everything of it is
// saved in `context`, and nothing of it stays in the CPU (its timer stopped, its list
// registers empty).
void save_vcpu(VcpuContext& context, const GuestFrame& frame);
// The vCPU that trapped here leaves it for good: nothing of it is kept.
void drop_vcpu();
// Puts the vCPU of `context` on this CPU, to enter when the exception that gave `frame`
// returns: its domain's stage 2 (`vttbr`), its vGIC (`vgic`, vCPU `vcpu`) and its registers.
// The CPU's EL1 TLB entries are flushed unless this vCPU was the last one loaded here and has
// not been loaded anywhere else since (`context` keeps where it was loaded last).
void load_vcpu(VcpuContext& context, GuestFrame& frame, std::uint64_t vttbr, hv::Vgic& vgic,
               std::uint32_t vcpu);
// The same from outside any exception (the scheduler's idle loop): enters it at once.
[[noreturn]] void run_vcpu(VcpuContext& context, std::uint64_t vttbr, hv::Vgic& vgic,
                           std::uint32_t vcpu);
// Whether a list register of this CPU holds a pending interrupt (the vCPU here has one to
// take, so WFI would not wait).
bool vcpu_interrupt_pending();

}  // namespace tern::arch
