// Declares the handlers of guest traps that are not calls (see guest_traps.cpp), on the
// registers vectors.S saved.
#pragma once

#include <cstdint>

namespace tern::hv {
class GuestDevices;
class PhysicalTimer;
}  // namespace tern::hv

namespace tern::arch {

// What vectors.S saves, in this order (exception.cpp checks the layout).
struct GuestFrame {
    std::uint64_t x[31];
    std::uint64_t elr;
    std::uint64_t spsr;
    std::uint64_t esr;
    std::uint64_t far;
    std::uint64_t sp;
};

enum class TrapResult { handled, abort, undefined };

// An access to an address the guest's stage 2 does not map, emulated by `devices`.
TrapResult handle_data_abort(GuestFrame& frame, hv::GuestDevices& devices);
TrapResult handle_sysreg(GuestFrame& frame);
// A TLBI trapped by HCR_EL2.TTLB (trapped_tlbi.hpp), run on this CPU only and skipped;
// undefined for any other system instruction or register.
TrapResult handle_local_tlbi(GuestFrame& frame);
// An access to CNTP_CTL_EL0, CNTP_CVAL_EL0 or CNTP_TVAL_EL0 (trapped: CNTHCTL_EL2.EL1PCEN is
// clear), emulated by the vCPU's `timer`; undefined for any other register.
TrapResult handle_physical_timer_sysreg(GuestFrame& frame, hv::PhysicalTimer& timer);
// The guest physical address of a stage-2 fault (HPFAR_EL2.FIPA holds bits [47:12]).
std::uint64_t fault_ipa(std::uint64_t far);
// Makes the guest take a synchronous external abort at the trapped instruction.
void inject_abort(GuestFrame& frame, bool instruction);
// The guest on this CPU wrote ICC_SGI1R_EL1.
void vgic_write_sgi1r(std::uint64_t value);

}  // namespace tern::arch
