// Declares the per-CPU counts of what a running vCPU costs the hypervisor: its traps to EL2 by
// kind, vCPU loads onto a CPU and the TLB flushes they take, idle waits. Each CPU adds only to
// its own counts (no atomics); Ctrl-T on Tern's console prints them with the virtual GIC
// state (vgic_cpu.cpp), so that a guest's boot can be measured by two dumps.
#pragma once

#include <cstdint>

#include "lib/format.hpp"

namespace tern::arch {

enum class ExitCount : std::uint8_t {
    hypercall,     // HVC: a Xen hypercall or an SMCCC call
    smc,           // SMC, trapped by HCR_EL2.TSC
    wfi,           // WFI/WFE, trapped by HCR_EL2.TWI
    data_abort,    // an access stage 2 does not map (emulated device registers)
    sysreg,        // a trapped system register (ICC_SGI1R_EL1, the EL1 physical timer)
    tlbi,          // a TLBI of a domain's only vCPU (HCR_EL2.TTLB), run on this CPU only
    irq,           // a physical interrupt taken while the vCPU ran
    other,         // anything else
    vcpu_load,     // a vCPU's registers put on this CPU
    vcpu_reload,   // of which: the vCPU this CPU loaded last, not loaded elsewhere since
    tlb_flush,     // a vCPU load that flushed the EL1 TLB (tlbi vmalls12e1)
    sysreg_write,  // an EL1 system register a vCPU load wrote (its value differed)
    idle_wait,     // the idle loop waited for an interrupt
    kCount
};

void count(ExitCount what);
// This CPU's counts as one line (for the Ctrl-T dump).
void print_exit_counts(lib::Out& out);

}  // namespace tern::arch
