// The classic string forms of a disk ("TYPE:PATH,VDEV,MODE[,BACKDOM]") and of a network
// interface ("mac=...,bridge=...,..."), shared by config files and block-/network-attach.
#pragma once

#include <string>
#include <string_view>

#include "config/config_error.hpp"
#include "config/vm_config.hpp"

namespace tern::cli {

// Parses a disk entry; the error message says which field is wrong (no position).
ConfigResult<DiskConfig> parse_disk_spec(std::string_view spec);

// Parses a vif entry of comma-separated key=value pairs.
ConfigResult<VifConfig> parse_vif_spec(std::string_view spec);

// A disk mode as block-attach takes it: "r", "w" or "w!".
bool is_disk_mode(std::string_view mode);

}  // namespace tern::cli
