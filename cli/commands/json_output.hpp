// The JSON forms of records for --json.
#pragma once

#include <nlohmann/json.hpp>

#include "api/records.hpp"

namespace tern::cli {

nlohmann::json to_json(const VmRecord& vm);
nlohmann::json to_json(const VbdRecord& vbd);
nlohmann::json to_json(const VifRecord& vif);
nlohmann::json to_json(const VdiRecord& vdi);
nlohmann::json to_json(const SrRecord& sr);
nlohmann::json to_json(const HostRecord& host);

}  // namespace tern::cli
