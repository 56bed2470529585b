// Reading a config file of either format from disk, with command-line overrides, and printing
// the parsed result (what `xm create -n` shows).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "config/config_error.hpp"
#include "config/vm_config.hpp"

namespace tern::cli {

// Reads `path`; XML if its first byte is '<', classic otherwise. Overrides apply to every VM.
ConfigResult<std::vector<VmConfig>> load_config_file(const std::string& path,
                                                     const std::vector<std::string>& overrides);

// A stable, human-readable dump of a VmConfig, one "key: value" line each.
void print_vm_config(std::ostream& out, const VmConfig& config);

}  // namespace tern::cli
