// Declares the arm64 pieces that vcpu_context.cpp puts together to move a domain's vCPU onto
// and off a CPU: the EL2 controls for it (guest.cpp) and the virtual CPU interface
// (vgic_cpu.cpp).
#pragma once

#include <cstdint>

#include "tern/arch/vcpu_context.hpp"

namespace tern::arch {

// Whether a vCPU's load flushes the CPU's EL1 TLB entries (stage 1 and stage 2) of its VMID
// or keeps them (vcpu_context.cpp says when they may be kept).
enum class StaleTlb : bool { flush, keep };

// Stage 2 (`vttbr`: tables and VMID), the EL2 traps and controls for a domain's vCPU (its
// TLBIs trapped when `maintenance` is local), and its virtual MPIDR; this CPU now runs a
// domain's vCPU (domain_vcpu_here()).
void enter_domain_vcpu_state(std::uint64_t vttbr, std::uint64_t vmpidr, StaleTlb tlb,
                             TlbMaintenance maintenance);

// The list registers, active priorities and VMCR to `context`; the interface is left empty
// and serving nobody.
void save_virtual_interface(VcpuContext& context);
// The interface serves vCPU `vcpu` of `vgic` with the state saved in `context`.
void load_virtual_interface(const VcpuContext& context, hv::Vgic& vgic, std::uint32_t vcpu);

}  // namespace tern::arch
