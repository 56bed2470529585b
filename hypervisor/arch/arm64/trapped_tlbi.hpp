// Defines decode_trapped_tlbi: which TLB invalidation this CPU runs, on its own, for a TLBI
// instruction that a vCPU at EL1 executed and HCR_EL2.TTLB (Arm ARM D19.2.49) trapped to EL2
// (exception class 0x18; the ISS of D17.2.37 gives op0, op1, CRn, CRm, op2, Rt and the
// direction). A vCPU traps its TLBIs only when it is its domain's one vCPU: nothing else ever
// runs with its VMID at the same time, so the inner-shareable broadcast it asked for is not
// needed (vcpu_context.cpp flushes its entries on any CPU it comes back to). Header-only and
// free of hardware access, so that the host unit tests decode the same way the image does.
#pragma once

#include <cstdint>
#include <optional>

namespace tern::arch {

// The EL1&0 invalidations run at EL2 (E2H clear), where they act on the current VMID only
// and on this CPU only (no IS in the name).
enum class LocalTlbi : std::uint8_t {
    vmalle1,  // every stage-1 entry of the VMID
    vae1,     // by VA and ASID, any level
    aside1,   // by ASID
    vaae1,    // by VA, any ASID, any level
    vale1,    // by VA and ASID, last level
    vaale1,   // by VA, any ASID, last level
};

struct TrappedTlbi {
    LocalTlbi op;
    unsigned rt;  // the general register with the operand (31: xzr)
};

// The local operation for the trapped instruction with syndrome `iss`; nullopt when `iss` is
// not an EL1 TLBI (a register read, another system instruction, an encoding with no TLBI).
// TLBI VMALLE1, VAE1, ASIDE1, VAAE1, VALE1 and VAALE1 (CRm 7) map to themselves, their
// inner-shareable (CRm 3) and outer-shareable (CRm 1, FEAT_TLBIOS) forms to the same local
// operation. The range forms (CRm 2, 5 and 6, FEAT_TLBIRANGE) become VMALLE1: invalidating
// more than asked is always correct.
constexpr std::optional<TrappedTlbi> decode_trapped_tlbi(std::uint64_t iss) {
    const bool read = (iss & 1u) != 0;
    const auto rt = static_cast<unsigned>((iss >> 5) & 0x1f);
    const std::uint64_t crm = (iss >> 1) & 0xf, crn = (iss >> 10) & 0xf, op1 = (iss >> 14) & 7,
                        op2 = (iss >> 17) & 7, op0 = (iss >> 20) & 3;
    if (read || op0 != 1 || op1 != 0 || crn != 8)
        return std::nullopt;
    if (crm == 1 || crm == 3 || crm == 7) {
        switch (op2) {
            case 0:
                return TrappedTlbi{LocalTlbi::vmalle1, rt};
            case 1:
                return TrappedTlbi{LocalTlbi::vae1, rt};
            case 2:
                return TrappedTlbi{LocalTlbi::aside1, rt};
            case 3:
                return TrappedTlbi{LocalTlbi::vaae1, rt};
            case 5:
                return TrappedTlbi{LocalTlbi::vale1, rt};
            case 7:
                return TrappedTlbi{LocalTlbi::vaale1, rt};
            default:
                return std::nullopt;
        }
    }
    if ((crm == 2 || crm == 5 || crm == 6) && (op2 & 1u) != 0)  // RVAE1*, RVAAE1*, RVALE1*, ...
        return TrappedTlbi{LocalTlbi::vmalle1, rt};
    return std::nullopt;
}

}  // namespace tern::arch
