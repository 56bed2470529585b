// Defines the description of the real machine (CPUs, memory, software) and the objects a
// fresh database starts with: this host, its CPUs and metrics, the pool, the control domain.
#pragma once

#include <string>
#include <vector>

#include "api/call_context.hpp"
#include "api/pif_inventory.hpp"

namespace tern::xapi {

struct CpuInfo {
    int number = 0;
    std::string vendor;
    std::string modelname;
    std::string stepping;
    std::string flags;
    std::int64_t speed_mhz = 0;
    std::int64_t family = 0;
    std::int64_t model = 0;
};

struct MachineInfo {
    std::string hostname;
    std::string kernel_release;
    std::string machine;            // uname's machine: x86_64, aarch64
    std::int64_t memory_total = 0;  // bytes
    std::int64_t memory_free = 0;
    std::vector<CpuInfo> cpus;
    std::vector<NicInfo> nics;
};

// Reads /proc/cpuinfo, /proc/meminfo, /sys/class/net and uname().
MachineInfo read_machine_info();
// Parses the text of /proc/cpuinfo (x86 and arm64 spellings).
std::vector<CpuInfo> parse_cpuinfo(const std::string& text);

// Creates what a fresh database lacks and refreshes what describes the machine; returns
// this host's reference.
std::string ensure_inventory(ApiState& state, const MachineInfo& machine);

}  // namespace tern::xapi
