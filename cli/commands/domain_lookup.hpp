// Finding the VM a <Domain> argument names (name, numeric domain id or uuid), and small
// conversions every command shares.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "api/xen_api.hpp"

namespace tern::cli {

// The non-template VMs, in the server's order.
std::vector<VmRecord> domains(XenApi& api);

// Throws CommandError "Domain '<name>' does not exist." when nothing matches.
VmRecord resolve_domain(XenApi& api, const std::string& name);

// A decimal integer argument; throws UsageError naming `what` otherwise.
std::int64_t parse_count(const std::string& text, const std::string& what);

// A size in bytes, with an optional K, M, G or T suffix (powers of 1024).
std::int64_t parse_size(const std::string& text);

bool is_running(const VmRecord& vm);

}  // namespace tern::cli
