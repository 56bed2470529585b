// The text of schema/vm-config.xsd, compiled into xm so validation needs no installed file.
#pragma once

#include <string_view>

namespace tern::cli {

std::string_view vm_config_schema();

}  // namespace tern::cli
