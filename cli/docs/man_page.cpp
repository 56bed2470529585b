// xm(1) in troff, from the command table.
#include <string>

#include "command_table.hpp"
#include "config/classic_config.hpp"
#include "docs/help_text.hpp"

namespace tern::cli {
namespace {

// Escapes what troff would read as requests or escapes.
std::string roff(const std::string& text) {
    std::string escaped;
    for (char c : text) {
        if (c == '\\') {
            escaped += "\\e";
        } else if (c == '-') {
            escaped += "\\-";
        } else {
            escaped += c;
        }
    }
    if (!escaped.empty() && (escaped[0] == '.' || escaped[0] == '\'')) {
        escaped = "\\&" + escaped;
    }
    return escaped;
}

void option_item(std::ostream& out, const OptionSpec& option) {
    out << ".TP\n";
    if (option.short_name) {
        out << "\\fB\\-" << option.short_name << "\\fR, ";
    }
    out << "\\fB\\-\\-" << roff(option.long_name) << "\\fR";
    if (!option.value_name.empty()) {
        out << " \\fI" << roff(option.value_name) << "\\fR";
    }
    out << "\n" << roff(option.help) << "\n";
}

}  // namespace

void print_man_page(std::ostream& out) {
    out << ".TH XM 1 \"\" \"Tern\" \"Tern manual\"\n"
           ".SH NAME\nxm \\- manage Tern virtual machines through the XenAPI\n"
           ".SH SYNOPSIS\n\\fBxm\\fR [\\fIglobal options\\fR] \\fIsubcommand\\fR "
           "[\\fIoptions\\fR] [\\fIargs\\fR]\n"
           ".SH DESCRIPTION\n"
           "xm creates, lists and controls virtual machines on a Tern host by calling the "
           "XenAPI of its management daemon, xapid, locally over a Unix socket or remotely "
           "over HTTPS or ssh. Unknown subcommands and bad arguments exit with status 2; "
           "failures reported by the server print the XenAPI error code and its parameters "
           "and exit with status 1.\n"
           ".SH GLOBAL OPTIONS\n";
    for (const auto& option : global_options()) {
        option_item(out, option);
    }
    out << ".SH SUBCOMMANDS\n";
    for (const auto& spec : command_table()) {
        out << ".SS \"" << roff(spec.usage()) << "\"\n" << roff(spec.summary) << ".\n";
        if (!spec.description.empty()) {
            out << roff(spec.description) << "\n";
        }
        for (const auto& option : spec.options) {
            option_item(out, option);
        }
    }
    out << ".SH CONFIG FILES\n"
           "\\fBxm create\\fR and \\fBxm new\\fR read a classic file of Python-syntax "
           "\\fIkey\\fR = \\fIvalue\\fR lines, or an XML file (first byte '<') in the format "
           "of Xen's create.dtd, validated against vm\\-config.xsd. Settings given as "
           "\\fIkey\\fR=\\fIvalue\\fR after the file override the file's. Known classic "
           "settings:\n.PP\n";
    bool first = true;
    for (const auto& name : classic_setting_names()) {
        out << (first ? "" : ", ") << "\\fB" << roff(name) << "\\fR";
        first = false;
    }
    out << ".\n.PP\ndisk entries read \"TYPE:PATH,DEVICE,MODE\" (mode r, w or w!), vif entries "
           "\"mac=...,bridge=...,mtu=...\".\n"
           ".SH ENVIRONMENT\n"
           ".TP\n\\fBXM_SERVER\\fR, \\fBXM_USER\\fR, \\fBXM_PASSWORD\\fR\n"
           "Defaults for \\-\\-server, \\-\\-user and the password.\n"
           ".TP\n\\fBXM_CONFIG_FILE\\fR\nReplaces /etc/xen/xm\\-config.xml.\n"
           ".SH FILES\n"
           ".TP\n/etc/xen/xm\\-config.xml, ~/.xm/config\n"
           "<xm><server type=\"Xen\\-API\" uri=\"...\" username=\"...\" password=\"...\"/></xm>"
           "\n.SH \"SEE ALSO\"\nxapid(8)\n";
}

}  // namespace tern::cli
