// Exceptions taken to EL2. The hypervisor does not yet run guests, so every exception is a
// fault of the hypervisor itself: it is reported (registers, exception class, backtrace
// through the frame-pointer chain) and this CPU stops; the other CPUs go on.
#include <cstddef>
#include <cstdint>

#include "arch/arm64/exit_counts.hpp"
#include "arch/arm64/guest_traps.hpp"
#include "common/domain_vcpu_calls.hpp"
#include "common/guest_calls.hpp"
#include "common/guest_devices.hpp"
#include "common/log_level.hpp"
#include "common/vcpu_scheduling.hpp"
#include "lib/format.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/arch/exception.hpp"
#include "tern/arch/gic.hpp"
#include "tern/arch/guest.hpp"

extern "C" char tern_el2_vectors[];
extern "C" char tern_image_start[];
extern "C" char tern_image_end[];

namespace tern::arch {
namespace {

using ExceptionFrame = GuestFrame;
static_assert(sizeof(ExceptionFrame) == 36 * 8);
static_assert(offsetof(ExceptionFrame, elr) == 31 * 8);
static_assert(offsetof(ExceptionFrame, esr) == 33 * 8);
static_assert(offsetof(ExceptionFrame, sp) == 35 * 8);

lib::Sink* g_console = nullptr;

const char* kind_name(std::uint64_t kind) {
    static constexpr const char* kNames[] = {"synchronous", "IRQ", "FIQ", "SError"};
    return kNames[kind % 4];
}

// ESR_ELx.EC, Arm ARM D19.2.37.
const char* class_name(std::uint64_t ec) {
    switch (ec) {
        case 0x00:
            return "unknown reason";
        case 0x01:
            return "WFI/WFE";
        case 0x15:
            return "SVC from AArch64";
        case 0x16:
            return "HVC from AArch64";
        case 0x17:
            return "SMC from AArch64";
        case 0x18:
            return "system register access";
        case 0x20:
            return "instruction abort from a lower EL";
        case 0x21:
            return "instruction abort at EL2";
        case 0x22:
            return "PC alignment fault";
        case 0x24:
            return "data abort from a lower EL";
        case 0x25:
            return "data abort at EL2";
        case 0x26:
            return "SP alignment fault";
        case 0x2f:
            return "SError";
        case 0x3c:
            return "BRK instruction";
        default:
            return "other";
    }
}

bool in_image(std::uint64_t address) {
    return address >= reinterpret_cast<std::uintptr_t>(tern_image_start) &&
           address < reinterpret_cast<std::uintptr_t>(tern_image_end);
}

}  // namespace

void set_fault_console(lib::Sink* sink) {
    g_console = sink;
}

void install_vectors() {
    asm volatile("msr vbar_el2, %0\n isb"
                 :
                 : "r"(reinterpret_cast<std::uintptr_t>(tern_el2_vectors)));
}

}  // namespace tern::arch

namespace tern::arch {
namespace {

// A synchronous trap from the guest at EL1. Returns false when it cannot go on.
bool handle_guest_sync(ExceptionFrame* frame) {
    const std::uint64_t ec = (frame->esr >> 26) & 0x3f;
    const std::uint64_t iss = frame->esr & 0x1ffffff;
    switch (ec) {
        case 0x16:                          // HVC
            if ((iss & 0xffff) == 0xEA1) {  // a Xen hypercall
                hv::handle_hypercall(frame->x);
                return true;
            }
            if ((iss & 0xffff) == 0) {  // SMCCC (PSCI, firmware services)
                hv::handle_smccc(frame->x);
                return true;
            }
            break;
        case 0x17:  // SMC, trapped by HCR_EL2.TSC: handled as SMCCC, then skipped
            hv::handle_smccc(frame->x);
            frame->elr += 4;
            return true;
        case 0x24:  // data abort from EL1/EL0 that stage 2 did not map
            if (handle_data_abort(*frame, hv::dom0_devices()) == TrapResult::handled)
                return true;
            if (hv::log_enabled(hv::LogLevel::warning))
                lib::Out(*g_console)
                    << "(TERN) d0: data abort at IPA " << lib::Hex{fault_ipa(frame->far)} << " (VA "
                    << lib::Hex{frame->far} << ") from PC " << lib::Hex{frame->elr}
                    << ": external abort injected\n";
            inject_abort(*frame, false);
            return true;
        case 0x20:  // instruction abort from EL1/EL0
            if (hv::log_enabled(hv::LogLevel::warning))
                lib::Out(*g_console) << "(TERN) d0: instruction abort at " << lib::Hex{frame->far}
                                     << ": external abort injected\n";
            inject_abort(*frame, true);
            return true;
        case 0x18:  // a trapped system register access
            if (handle_sysreg(*frame) == TrapResult::handled)
                return true;
            if (hv::log_enabled(hv::LogLevel::warning))
                lib::Out(*g_console) << "(TERN) d0: system register access " << lib::Hex{iss}
                                     << " at " << lib::Hex{frame->elr} << " ignored\n";
            if ((iss & 1u) != 0 && ((iss >> 5) & 0x1f) != 31)
                frame->x[(iss >> 5) & 0x1f] = 0;  // a read answers 0
            frame->elr += 4;
            return true;
        default:
            break;
    }
    lib::Out(*g_console) << "(TERN) d0: unhandled trap EC " << lib::Hex{ec} << " ("
                         << class_name(ec) << ") at " << lib::Hex{frame->elr} << ", FAR "
                         << lib::Hex{frame->far} << ": the domain is stopped\n";
    return false;
}

// The vCPU here accessed its EL1 physical timer (CNTHCTL_EL2.EL1PCEN is clear): emulated, and
// said once per vCPU on the console. False for any other system register.
bool emulate_physical_timer(ExceptionFrame& frame) {
    hv::SchedVcpu* v = hv::current_vcpu();
    if (v == nullptr)
        return false;
    const bool first = !v->physical_timer.written();
    if (handle_physical_timer_sysreg(frame, v->physical_timer) != TrapResult::handled)
        return false;
    if (first && v->physical_timer.written()) {
        char line[112];
        lib::BufferSink buffer(line, sizeof line);
        lib::Out(buffer) << "(TERN) d" << std::uint64_t{v->domain->id} << ": vCPU "
                         << std::uint64_t{v->vcpu}
                         << " uses its EL1 physical timer (emulated, virtual PPI 30)\n";
        g_console->write(buffer.text());
    }
    return true;
}

// A scheduled vCPU trapped (every vCPU is, dom0's too): hypercalls and PSCI are answered, its
// vGIC's registers emulated, interrupts acknowledged (they may ask it to stop), WFI gives the
// CPU up, and its list registers are filled on the way back. A domU's access to nothing gets
// an external abort, any other trap crashes it; dom0's traps are handle_guest_sync's.
void handle_domain_vcpu_exception(std::uint64_t kind, ExceptionFrame* frame) {
    if (kind == 9) {
        count(ExitCount::irq);
        handle_irq_from_guest();
        hv::reschedule_after_exit(*frame);
        flush_list_registers();
        return;
    }
    const std::uint64_t ec = (frame->esr >> 26) & 0x3f;
    if (ec == 0x18 && handle_local_tlbi(*frame) == TrapResult::handled) {
        count(ExitCount::tlbi);  // the TLBI of a domain's only vCPU, done here alone
        return;
    }
    count(ec == 0x16   ? ExitCount::hypercall
          : ec == 0x17 ? ExitCount::smc
          : ec == 0x01 ? ExitCount::wfi
          : ec == 0x24 ? ExitCount::data_abort
          : ec == 0x18 ? ExitCount::sysreg
                       : ExitCount::other);
    if (ec == 0x01) {  // WFI or WFE (ISS.TI), trapped by HCR_EL2.TWI: done once it returns
        hv::domain_vcpu_wait((frame->esr & 1) != 0);
        frame->elr += 4;
    } else if (ec == 0x18 && emulate_physical_timer(*frame)) {
        // its EL1 physical timer; the scheduler follows its deadline
    } else if (hv::current_vcpu_is_dom0()) {
        if (!handle_guest_sync(frame))  // dom0's calls, its devices, its vGIC's registers
            halt_cpu();
    } else if (ec == 0x16 && (frame->esr & 0xffff) == 0xea1) {
        hv::domain_vcpu_hypercall(frame->x);
    } else if (ec == 0x16 && (frame->esr & 0xffff) == 0) {
        hv::domain_vcpu_smccc(frame->x);
    } else if (ec == 0x17) {
        hv::domain_vcpu_smccc(frame->x);
        frame->elr += 4;  // a trapped SMC returns to itself
    } else if (ec == 0x24) {
        hv::GuestDevices* devices = hv::domain_vcpu_devices();
        if (devices == nullptr || handle_data_abort(*frame, *devices) != TrapResult::handled) {
            if (hv::log_enabled(hv::LogLevel::warning))
                lib::Out(*g_console)
                    << "(TERN) domU data abort at IPA " << lib::Hex{fault_ipa(frame->far)}
                    << " from PC " << lib::Hex{frame->elr} << ": external abort injected\n";
            inject_abort(*frame, false);
        }
    } else if (ec == 0x18 && handle_sysreg(*frame) == TrapResult::handled) {
        // ICC_SGI1R_EL1 and its kin: the vGIC sent the SGI
    } else {
        hv::domain_vcpu_crash(frame->esr, frame->elr, frame->far);
    }
    hv::reschedule_after_exit(*frame);
    flush_list_registers();
}

}  // namespace
}  // namespace tern::arch

extern "C" void tern_el2_exception(std::uint64_t kind, tern::arch::ExceptionFrame* frame) {
    using namespace tern;
    if (arch::g_console == nullptr)
        arch::halt_cpu();
    if ((kind == 8 || kind == 9) && arch::domain_vcpu_here()) {
        arch::handle_domain_vcpu_exception(kind, frame);  // a scheduled vCPU
        return;
    }
    if (kind == 8 || kind == 9) {  // from the guest at EL1: synchronous, IRQ
        if (kind == 8 && !arch::handle_guest_sync(frame))
            arch::halt_cpu();
        if (kind == 9)
            arch::handle_irq_from_guest();
        arch::flush_list_registers();
        return;
    }
    lib::Out out(*arch::g_console);
    const std::uint64_t ec = (frame->esr >> 26) & 0x3f;
    out << "(TERN) *** hypervisor fault: " << arch::kind_name(kind) << " exception, EC "
        << lib::Hex{ec} << " (" << arch::class_name(ec) << "), ESR " << lib::Hex{frame->esr}
        << ", FAR " << lib::Hex{frame->far} << "\n";
    out << "(TERN)     PC " << lib::Hex{frame->elr} << "  SP " << lib::Hex{frame->sp} << "  SPSR "
        << lib::Hex{frame->spsr} << "\n";
    for (int i = 0; i < 31; i += 3) {
        out << "(TERN)    ";
        for (int j = i; j < i + 3 && j < 31; ++j) {
            out << " x" << j << (j < 10 ? " " : "") << " " << lib::Hex{frame->x[j]};
        }
        out << "\n";
    }
    out << "(TERN)     backtrace: " << lib::Hex{frame->elr};
    // AAPCS64 frame records: x29 points at {previous x29, return address}.
    std::uint64_t fp = frame->x[29];
    for (int depth = 0; depth < 16 && fp != 0 && (fp & 15) == 0 && arch::in_image(fp); ++depth) {
        const auto* record = reinterpret_cast<const std::uint64_t*>(fp);
        if (record[1] == 0)
            break;
        out << " " << lib::Hex{record[1]};
        fp = record[0];
    }
    out << "\n(TERN) *** this CPU stops\n";
    arch::halt_cpu();
}
