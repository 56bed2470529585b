// The screen of `xm top`: a summary line of the host and one line per domain with its state,
// CPU time and share, memory and vCPUs, like xentop.
#pragma once

#include <string>
#include <vector>

#include "api/records.hpp"

namespace tern::cli {

std::vector<std::string> render_top(const HostRecord& host, const std::vector<VmRecord>& vms,
                                    const std::string& clock);

}  // namespace tern::cli
