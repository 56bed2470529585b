// SMCCC firmware calls from dom0 (Arm DEN 0028, DEN 0022): PSCI for its vCPUs and the
// machine, and the Arm architecture service. Anything else answers NOT_SUPPORTED (-1).
#include "common/console.hpp"
#include "common/guest_calls.hpp"
#include "common/vcpu_power.hpp"
#include "common/vcpu_scheduling.hpp"
#include "tern/arch/cpu.hpp"

namespace tern::hv {
namespace {

constexpr std::uint64_t kSmcccNotSupported = 0xffffffffffffffffull;  // -1
constexpr std::uint32_t kWorkaround1 = 0x80008000;  // branch predictor hardening (Spectre v2)
constexpr std::uint32_t kWorkaround2 = 0x80007fff;  // speculative store bypass (Spectre v4)
constexpr std::uint32_t kWorkaround3 = 0x80003fff;  // branch history (Spectre BHB)

// SMCCC_ARCH_FEATURES: what the platform firmware offers for the mitigations, asked once
// (Linux asks on every CPU, and calls WORKAROUND_1 on every context switch when offered).
std::uint64_t arch_features(std::uint32_t asked) {
    static std::uint64_t cached[3];
    static bool known[3];
    const std::uint32_t workarounds[3] = {kWorkaround1, kWorkaround2, kWorkaround3};
    if (asked == 0x80000000 || asked == 0x80000001)
        return 0;  // SMCCC_VERSION, SMCCC_ARCH_FEATURES themselves
    for (int i = 0; i < 3; ++i) {
        if (asked != workarounds[i])
            continue;
        if (!known[i]) {
            const std::uint64_t answer = arch::firmware_call(0x80000001, asked, 0, 0);
            // A 32-bit answer: NOT_SUPPORTED is 0xffffffff from an SMC32 call.
            cached[i] = static_cast<std::uint64_t>(
                static_cast<std::int64_t>(static_cast<std::int32_t>(answer)));
            known[i] = true;
        }
        return cached[i];
    }
    return kSmcccNotSupported;
}

}  // namespace

void handle_smccc(std::uint64_t* x) {
    const std::uint32_t function = static_cast<std::uint32_t>(x[0]);
    std::uint64_t result = kSmcccNotSupported;
    VcpuPower* vcpus = guest_vcpus();
    SchedDomain* dom0 = guest_dom0_sched();
    Console* console = guest_console();
    switch (function) {
        case 0x80000001:  // SMCCC_ARCH_FEATURES
            result = arch_features(static_cast<std::uint32_t>(x[1]));
            break;
        case kWorkaround1:
        case kWorkaround2:
        case kWorkaround3:
            // The mitigations are the firmware's: the call goes to it, on this CPU (the one
            // dom0's vCPU runs on now). Linux makes these only when arch_features said they
            // exist.
            result = arch::firmware_call(function, x[1], x[2], x[3]);
            break;
        case 0x84000000:
            result = 0x10001;
            break;                  // PSCI_VERSION: 1.1
        case kPsciMigrateInfoType:  // no Trusted OS to migrate
            result = static_cast<std::uint64_t>(kMigrateInfoNoTrustedOs);
            break;
        case kPsciFeatures:
            result = static_cast<std::uint64_t>(
                psci_features(static_cast<std::uint32_t>(x[1]), /*with_smccc_version=*/true));
            break;
        case 0x84000003:  // CPU_ON: the vCPU of that MPIDR starts on whichever CPU is free
        case 0xC4000003: {
            const std::uint64_t target = function == 0x84000003 ? x[1] & 0xffffffff : x[1];
            const auto index =
                vcpus != nullptr ? vcpus->index_of(target & 0xff00ffffffull) : std::nullopt;
            if (!index || dom0 == nullptr || x[2] % 4 != 0) {  // the entry point is aligned
                result = static_cast<std::uint64_t>(kPsciInvalidParameters);
                break;
            }
            const Status s = start_vcpu(*dom0, static_cast<std::uint32_t>(*index),
                                        target & 0xff00ffffffull, x[2], x[3]);
            result =
                static_cast<std::uint64_t>(s == Status::ok               ? kPsciSuccess
                                           : s == Status::already_exists ? kPsciAlreadyOn
                                                                         : kPsciInternalFailure);
            break;
        }
        case 0x84000004:  // AFFINITY_INFO
        case 0xC4000004: {
            const auto index =
                vcpus != nullptr ? vcpus->index_of(x[1] & 0xff00ffffffull) : std::nullopt;
            if (!index || dom0 == nullptr || x[2] != 0) {
                result = static_cast<std::uint64_t>(kPsciInvalidParameters);
                break;
            }
            result = static_cast<std::uint64_t>(
                scheduler().is_online(*dom0, static_cast<std::uint32_t>(*index)) ? kAffinityOn
                                                                                 : kAffinityOff);
            break;
        }
        case 0x84000002:  // CPU_OFF: this vCPU stops and leaves its CPU
            if (SchedVcpu* self = current_vcpu()) {
                scheduler().go_offline(*self);
                return;  // it never sees a result
            }
            result = static_cast<std::uint64_t>(kPsciDenied);
            break;
        case 0x80000000:  // SMCCC_VERSION: 1.1
            result = 0x10001;
            break;
        case 0x84000008:  // SYSTEM_OFF
            if (console != nullptr)
                lib::Out(*console) << "(TERN) d0: PSCI system off\n";
            arch::system_off();
        case 0x84000009:  // SYSTEM_RESET
            if (console != nullptr)
                lib::Out(*console) << "(TERN) d0: PSCI system reset\n";
            arch::system_reset();
        default:
            break;
    }
    x[0] = result;
}

}  // namespace tern::hv
