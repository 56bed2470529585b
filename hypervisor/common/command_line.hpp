// Defines HypervisorOptions and parse_command_line: Tern's own boot options, read from the
// command line the boot loader gives it (QEMU's -append), with Xen's names and syntax:
// dom0_mem=512M, dom0_max_vcpus=2, dom0_vcpus_pin, dom0_weight=512, console=dtuart,
// loglvl=all, bootscrub=idle; and Tern's own domu_stage2=pages.
#pragma once

#include <cstdint>
#include <string_view>

namespace tern::hv {

enum class LogLevel { none, error, warning, info, debug, all };

struct HypervisorOptions {
    std::uint64_t dom0_mem = 512ull << 20;  // bytes
    std::uint32_t dom0_max_vcpus = 0;       // 0: one per physical CPU
    // dom0's vCPUs are scheduled like any domain's: with dom0_vcpus_pin vCPU n runs only on
    // the physical CPU of its MPIDR (as Xen's option does); its scheduler weight (1-65535) is
    // dom0_weight, Xen's credit default 256 unless given.
    bool dom0_vcpus_pin = false;
    std::uint32_t dom0_weight = 256;
    // bootscrub=idle: idle CPUs zero free pages ahead of the domains that will get them (Xen's
    // default; Tern's is bootscrub=0, as under TCG the scrubbing slows dom0's own boot).
    bool bootscrub_idle = false;
    // domu_stage2=pages: the RAM of the domains dom0 creates is mapped with 4 KiB pages only
    // at stage 2 (for emulated CPUs, see Stage2Granule); domu_stage2=blocks, the default, uses
    // 2 MiB blocks where it can.
    bool domu_stage2_pages = false;
    std::string_view console = "dtuart";
    LogLevel loglvl = LogLevel::warning;
    // tern_selftest=fault: fault on purpose once booted, to show the fault report (a debug
    // aid, like Xen's debug keys).
    bool selftest_fault = false;
    std::uint32_t unknown = 0;  // options Tern does not know (ignored, counted for the log)
    std::uint32_t invalid = 0;  // known options with a value Tern cannot read (ignored)
};

HypervisorOptions parse_command_line(std::string_view line);

// "512M", "1G", "4096K", "1048576": a size in bytes; nullopt-like 0 for a bad one.
bool parse_size(std::string_view text, std::uint64_t& out);

const char* log_level_name(LogLevel level);

}  // namespace tern::hv
