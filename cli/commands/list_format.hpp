// The text forms of `xm list`, `xm vcpu-list` and `xm uptime`, exactly as xm printed them.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "api/records.hpp"

namespace tern::cli {

// "r-----": running, blocked, paused, shutdown, crashed, dying.
std::string state_column(const VmRecord& vm);

// CPU time in seconds: the hypervisor's figure where xapid gives it (VM_metrics
// other_config:cpu_time), else as xm in Xen-API mode derived it: the sum of VCPUs_utilisation.
double cpu_seconds(const VmRecord& vm);

std::string list_header(bool with_label);
std::string list_row(const VmRecord& vm, bool with_label);

std::string vcpu_list_header();
// One line per vCPU of `vm`.
std::string vcpu_list_rows(const VmRecord& vm);
// The affinity of vCPU `vcpu`: its cpumap<N> parameter, or "any cpu".
std::string vcpu_affinity(const VmRecord& vm, std::int64_t vcpu);

// A XenAPI datetime ("20261202T04:52:00Z") as seconds since the epoch.
std::optional<std::time_t> parse_api_time(const std::string& text);
// "3 days, 1:02:03" or "1:02:03".
std::string format_uptime(std::int64_t seconds);

}  // namespace tern::cli
