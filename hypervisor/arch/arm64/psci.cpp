// Calls into the platform firmware through PSCI (Arm DEN 0022) over SMC, the conduit QEMU's
// virt machine uses when EL2 is given to the guest.
#include "tern/arch/cpu.hpp"

namespace tern::arch {
namespace {

constexpr std::uint64_t kPsciSystemOff = 0x84000008;  // PSCI 0.2 SYSTEM_OFF, SMC32

std::uint64_t smc(std::uint64_t function) {
    register std::uint64_t x0 asm("x0") = function;
    asm volatile("smc #0" : "+r"(x0) : : "x1", "x2", "x3", "memory");
    return x0;
}

}  // namespace

void system_off() {
    smc(kPsciSystemOff);
    halt_cpu();  // the firmware refused
}

}  // namespace tern::arch
