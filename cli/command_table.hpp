// The table of every xm command, in the order `xm help` lists them.
#pragma once

#include <string_view>
#include <vector>

#include "command.hpp"

namespace tern::cli {

const std::vector<CommandSpec>& command_table();
const CommandSpec* find_command(std::string_view name);

// The options xm takes before the command name.
const std::vector<OptionSpec>& global_options();

}  // namespace tern::cli
