// Calls into the platform firmware through PSCI (Arm DEN 0022) over SMC, the conduit QEMU's
// virt machine uses when EL2 is given to the guest.
#include "tern/arch/cpu.hpp"
#include "tern/arch/mmu.hpp"

extern "C" char tern_secondary_entry[];

namespace tern::arch {
namespace {

constexpr std::uint64_t kPsciSystemOff = 0x84000008;    // PSCI 0.2 SYSTEM_OFF, SMC32
constexpr std::uint64_t kPsciSystemReset = 0x84000009;  // PSCI 0.2 SYSTEM_RESET, SMC32
constexpr std::uint64_t kPsciCpuOn = 0xC4000003;        // PSCI 0.2 CPU_ON, SMC64

std::uint64_t smc(std::uint64_t function, std::uint64_t a1 = 0, std::uint64_t a2 = 0,
                  std::uint64_t a3 = 0) {
    register std::uint64_t x0 asm("x0") = function;
    register std::uint64_t x1 asm("x1") = a1;
    register std::uint64_t x2 asm("x2") = a2;
    register std::uint64_t x3 asm("x3") = a3;
    asm volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : : "memory");
    return x0;
}

}  // namespace

std::int64_t start_cpu(std::uint64_t mpidr, std::uint64_t index) {
    return static_cast<std::int64_t>(
        smc(kPsciCpuOn, mpidr, reinterpret_cast<std::uintptr_t>(tern_secondary_entry), index));
}

std::uint64_t firmware_call(std::uint32_t function, std::uint64_t a1, std::uint64_t a2,
                            std::uint64_t a3) {
    return smc(function, a1, a2, a3);
}

void system_off() {
    smc(kPsciSystemOff);
    halt_cpu();  // the firmware refused
}

void system_reset() {
    smc(kPsciSystemReset);
    halt_cpu();
}

}  // namespace tern::arch
