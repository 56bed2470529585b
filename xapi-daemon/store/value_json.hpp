// Defines the conversion of canonical values of collection types (sets, maps, records) to and
// from the JSON text the store keeps in their SQLite columns.
#pragma once

#include <string>

#include "api/meta.hpp"
#include "rpc/value.hpp"

namespace tern::xapi {

std::string to_json_text(const rpc::Value& canonical, const TypeDesc& type);
// Throws StoreError when the text is not what the type expects.
rpc::Value from_json_text(const std::string& text, const TypeDesc& type);

}  // namespace tern::xapi
