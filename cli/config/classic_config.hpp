// Classic xm config files turned into a VmConfig, and `key=value` overrides from the command
// line applied to a VmConfig of either format.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.hpp"
#include "config/python_value.hpp"
#include "config/vm_config.hpp"

namespace tern::cli {

// Parses a classic file's text and converts it; `overrides` ("memory=512", "name='x'", ...)
// take precedence over the file's own settings.
ConfigResult<VmConfig> load_classic_config(std::string_view text, const std::string& file,
                                           const std::vector<std::string>& overrides = {});

// Parses `key=value` overrides (the value as a Python literal, or a bare word as a string).
ConfigResult<std::vector<Assignment>> parse_overrides(const std::vector<std::string>& overrides);

// Applies settings to `config` in a fixed order (memory before maxmem, so either order in the
// file means the same); `file` names the source in errors.
ConfigResult<VmConfig> apply_settings(VmConfig config, const std::vector<Assignment>& settings,
                                      const std::string& file);

// The setting names a classic file may use.
const std::vector<std::string>& classic_setting_names();

}  // namespace tern::cli
