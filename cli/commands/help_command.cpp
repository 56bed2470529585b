// help [command].
#include "command_table.hpp"
#include "commands/handlers.hpp"
#include "docs/help_text.hpp"

namespace tern::cli {

int run_help(Invocation& invocation) {
    if (invocation.args.empty()) {
        print_command_list(invocation.out(), invocation.has("long"));
        return 0;
    }
    const CommandSpec* spec = find_command(invocation.args[0]);
    if (spec == nullptr) {
        throw UsageError("'" + invocation.args[0] + "' is not an xm command");
    }
    print_command_help(invocation.out(), *spec);
    return 0;
}

}  // namespace tern::cli
