// `xm help` and `xm help <command>`.
#include "docs/help_text.hpp"

#include <iomanip>

#include "command_table.hpp"

namespace tern::cli {
namespace {

std::string option_label(const OptionSpec& option) {
    std::string label = option.short_name ? std::string("-") + option.short_name + ", " : "    ";
    label += "--" + option.long_name;
    if (!option.value_name.empty()) {
        label += " " + option.value_name;
    }
    return label;
}

const char* group_title(const std::string& group) {
    if (group == "domain") {
        return "Domain commands";
    }
    if (group == "resource") {
        return "Resource commands";
    }
    if (group == "device") {
        return "Device commands";
    }
    if (group == "storage") {
        return "Storage commands";
    }
    if (group == "host") {
        return "Host commands";
    }
    return "Other commands";
}

}  // namespace

void print_command_list(std::ostream& out, bool with_descriptions) {
    out << "Usage: xm [global options] <subcommand> [args]\n\n"
           "Control, list and manipulate Tern's virtual machines through the XenAPI.\n";
    std::string group;
    for (const auto& spec : command_table()) {
        if (spec.group != group) {
            group = spec.group;
            out << "\n" << group_title(group) << ":\n";
        }
        out << "  " << std::left << std::setw(16) << spec.name << spec.summary << "\n";
        if (with_descriptions && !spec.description.empty()) {
            out << "  " << std::setw(16) << "" << spec.description << "\n";
        }
    }
    out << "\nGlobal options:\n";
    for (const auto& option : global_options()) {
        out << "  " << std::left << std::setw(28) << option_label(option) << option.help << "\n";
    }
    out << "\n<Domain> is a domain's name, numeric id or uuid.\n"
           "'xm help <subcommand>' describes one subcommand.\n";
}

void print_command_help(std::ostream& out, const CommandSpec& spec) {
    out << "Usage: " << spec.usage() << "\n\n" << spec.summary << ".\n";
    if (!spec.description.empty()) {
        out << spec.description << "\n";
    }
    if (!spec.options.empty()) {
        out << "\nOptions:\n";
        for (const auto& option : spec.options) {
            out << "  " << std::left << std::setw(24) << option_label(option) << option.help
                << "\n";
        }
    }
}

}  // namespace tern::cli
