// XML VM descriptions (the create.dtd format, checked against schema/vm-config.xsd with
// libxml2) turned into VmConfigs. A file that is not well formed or not valid is reported with
// its file, line, column and what was expected, and yields no VmConfig at all.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.hpp"
#include "config/vm_config.hpp"

namespace tern::cli {

// Every <vm> of the document, its <vbd>s joined with the <vdi>s they name.
ConfigResult<std::vector<VmConfig>> load_xml_config(std::string_view text, const std::string& file);

// xm's rule: a config file whose first non-blank byte is '<' is XML.
bool looks_like_xml(std::string_view text);

}  // namespace tern::cli
