#include "arch/arm64/exit_counts.hpp"

#include <cstddef>

#include "tern/arch/cpu.hpp"

namespace tern::arch {
namespace {

constexpr std::size_t kKinds = static_cast<std::size_t>(ExitCount::kCount);
std::uint64_t g_counts[kMaxCpus][kKinds] = {};

constexpr const char* kNames[kKinds] = {"hvc",      "smc",         "wfi",   "dabt", "sysreg",
                                        "tlbi",     "irq",         "other", "load", "reload",
                                        "tlbflush", "sysregwrite", "idle"};

}  // namespace

void count(ExitCount what) {
    ++g_counts[current_cpu_index() % kMaxCpus][static_cast<std::size_t>(what)];
}

void print_exit_counts(lib::Out& out) {
    const std::uint64_t* counts = g_counts[current_cpu_index() % kMaxCpus];
    out << "(TERN)   CPU " << std::uint64_t{current_cpu_index()} << " counts";
    for (std::size_t k = 0; k < kKinds; ++k)
        out << " " << kNames[k] << " " << counts[k];
    out << "\n";
}

}  // namespace tern::arch
