// Declares the hypervisor's log threshold (loglvl= on its command line): messages about what a
// guest did (a hypercall Tern lacks, an abort it injected) are warnings and are printed only
// at loglvl=warning or above; what the hypervisor itself reports at boot is always printed.
#pragma once

#include "common/command_line.hpp"

namespace tern::hv {

void set_log_level(LogLevel level);
bool log_enabled(LogLevel level);

}  // namespace tern::hv
