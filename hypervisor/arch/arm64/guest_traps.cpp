// Traps from a guest at EL1 that are not calls: data aborts on addresses its stage 2 does not
// map (emulated device registers, or a guest error answered with an abort), trapped system
// register writes (ICC_SGI1R_EL1 and its kin, which HCR_EL2.IMO sends here), the TLBIs of a
// domain's only vCPU (HCR_EL2.TTLB), run on this CPU alone, and the
// injection of a synchronous external abort into the guest (Arm ARM D1.10: the exception is
// made to look as if taken to EL1).
#include "arch/arm64/guest_traps.hpp"

#include "arch/arm64/trapped_tlbi.hpp"
#include "common/guest_devices.hpp"
#include "common/physical_timer.hpp"
#include "tern/arch/gic.hpp"
#include "tern/arch/timer.hpp"

namespace tern::arch {
namespace {

constexpr std::uint64_t kEcDataAbortLower = 0x24;
constexpr std::uint64_t kEcDataAbortSame = 0x25;
constexpr std::uint64_t kEcInstructionAbortLower = 0x20;
constexpr std::uint64_t kEcInstructionAbortSame = 0x21;
constexpr std::uint64_t kFscSyncExternal = 0x10;

}  // namespace

std::uint64_t fault_ipa(std::uint64_t far) {
    std::uint64_t hpfar = 0;
    asm volatile("mrs %0, hpfar_el2" : "=r"(hpfar));
    return ((hpfar & 0xffffffffff0ull) << 8) | (far & 0xfff);
}

void inject_abort(GuestFrame& frame, bool instruction) {
    const std::uint64_t mode = frame.spsr & 0xf;  // M[3:0]: 0b0000 EL0t, 0b0100 EL1t, 0b0101 EL1h
    const bool from_el0 = mode == 0;
    std::uint64_t vbar = 0;
    asm volatile("mrs %0, vbar_el1" : "=r"(vbar));
    const std::uint64_t ec = instruction
                                 ? (from_el0 ? kEcInstructionAbortLower : kEcInstructionAbortSame)
                                 : (from_el0 ? kEcDataAbortLower : kEcDataAbortSame);
    const std::uint64_t esr = (ec << 26) | (1ull << 25) | kFscSyncExternal;
    asm volatile(
        "msr esr_el1, %0\n"
        "msr far_el1, %1\n"
        "msr elr_el1, %2\n"
        "msr spsr_el1, %3\n"
        :
        : "r"(esr), "r"(frame.far), "r"(frame.elr), "r"(frame.spsr));
    // Vector offset: current EL with SP_EL0 0x000, with SP_ELx 0x200, lower EL AArch64 0x400.
    const std::uint64_t offset = from_el0 ? 0x400 : (mode == 0x4 ? 0x000 : 0x200);
    frame.elr = vbar + offset;
    frame.spsr = 0x3c5;  // EL1h, D, A, I, F masked
}

TrapResult handle_data_abort(GuestFrame& frame, hv::GuestDevices& devices) {
    const std::uint64_t iss = frame.esr & 0x1ffffff;
    const bool valid = (iss >> 24) & 1u;  // ISV: the syndrome describes the access
    const bool stage2_fault = ((iss & 0x3f) >> 2) == 1 || ((iss & 0x3f) >> 2) == 0;  // translation
    if (!valid || !stage2_fault)
        return TrapResult::abort;
    const unsigned size = 1u << ((iss >> 22) & 3);
    const bool sign_extend = (iss >> 21) & 1u;
    const unsigned reg = (iss >> 16) & 0x1f;
    const bool sixty_four = (iss >> 15) & 1u;
    const bool write = (iss >> 6) & 1u;
    const std::uint64_t ipa = fault_ipa(frame.far);
    std::uint64_t value = write ? (reg == 31 ? 0 : frame.x[reg]) : 0;
    if (write && size < 8)
        value &= (1ull << (8 * size)) - 1;
    if (!devices.emulate(ipa, write, size, value))
        return TrapResult::abort;
    if (!write && reg != 31) {
        if (sign_extend && size < 8 && ((value >> (8 * size - 1)) & 1u))
            value |= ~((1ull << (8 * size)) - 1);
        if (!sixty_four)
            value &= 0xffffffffu;
        frame.x[reg] = value;
    }
    frame.elr += 4;
    return TrapResult::handled;
}

TrapResult handle_sysreg(GuestFrame& frame) {
    const std::uint64_t iss = frame.esr & 0x1ffffff;
    const bool read = iss & 1u;
    const unsigned rt = (iss >> 5) & 0x1f;
    const std::uint64_t op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7,
                        crn = (iss >> 10) & 0xf, crm = (iss >> 1) & 0xf;
    // ICC_SGI1R_EL1 (op2 5), ICC_ASGI1R_EL1 (6), ICC_SGI0R_EL1 (7): S3_0_C12_C11_x.
    if (op0 == 3 && op1 == 0 && crn == 12 && crm == 11 && op2 >= 5 && !read) {
        vgic_write_sgi1r(rt == 31 ? 0 : frame.x[rt]);
        frame.elr += 4;
        return TrapResult::handled;
    }
    return TrapResult::undefined;
}

TrapResult handle_local_tlbi(GuestFrame& frame) {
    const auto tlbi = decode_trapped_tlbi(frame.esr & 0x1ffffff);
    if (!tlbi)
        return TrapResult::undefined;
    const std::uint64_t xt = tlbi->rt == 31 ? 0 : frame.x[tlbi->rt];
    switch (tlbi->op) {
        case LocalTlbi::vmalle1:
            asm volatile("tlbi vmalle1" ::: "memory");
            break;
        case LocalTlbi::vae1:
            asm volatile("tlbi vae1, %0" : : "r"(xt) : "memory");
            break;
        case LocalTlbi::aside1:
            asm volatile("tlbi aside1, %0" : : "r"(xt) : "memory");
            break;
        case LocalTlbi::vaae1:
            asm volatile("tlbi vaae1, %0" : : "r"(xt) : "memory");
            break;
        case LocalTlbi::vale1:
            asm volatile("tlbi vale1, %0" : : "r"(xt) : "memory");
            break;
        case LocalTlbi::vaale1:
            asm volatile("tlbi vaale1, %0" : : "r"(xt) : "memory");
            break;
    }
    // Complete before the vCPU goes on (its own DSB after the TLBI would do it too).
    asm volatile("dsb nsh" ::: "memory");
    frame.elr += 4;
    return TrapResult::handled;
}

TrapResult handle_physical_timer_sysreg(GuestFrame& frame, hv::PhysicalTimer& timer) {
    const std::uint64_t iss = frame.esr & 0x1ffffff;
    const bool read = iss & 1u;
    const unsigned rt = (iss >> 5) & 0x1f;
    const std::uint64_t op0 = (iss >> 20) & 3, op2 = (iss >> 17) & 7, op1 = (iss >> 14) & 7,
                        crn = (iss >> 10) & 0xf, crm = (iss >> 1) & 0xf;
    // CNTP_TVAL_EL0 (op2 0), CNTP_CTL_EL0 (1), CNTP_CVAL_EL0 (2): S3_3_C14_C2_x.
    if (op0 != 3 || op1 != 3 || crn != 14 || crm != 2 || op2 > 2)
        return TrapResult::undefined;
    using Reg = hv::PhysicalTimer::Register;
    const Reg reg = op2 == 0 ? Reg::tval : op2 == 1 ? Reg::ctl : Reg::cval;
    const std::uint64_t now = counter_ticks();
    if (read) {
        if (rt != 31)
            frame.x[rt] = timer.read(reg, now);
    } else {
        timer.write(reg, rt == 31 ? 0 : frame.x[rt], now);
    }
    frame.elr += 4;
    return TrapResult::handled;
}

}  // namespace tern::arch
