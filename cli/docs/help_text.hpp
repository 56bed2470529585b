// The text of `xm help`, `xm help <command>`, the xm(1) man page and the bash completion
// script, all derived from the command table.
#pragma once

#include <ostream>

#include "command.hpp"

namespace tern::cli {

void print_command_list(std::ostream& out, bool with_descriptions);
void print_command_help(std::ostream& out, const CommandSpec& spec);
void print_man_page(std::ostream& out);
void print_bash_completion(std::ostream& out);

}  // namespace tern::cli
