// The man page and the bash completion script cover the whole command table.
#include <gtest/gtest.h>

#include <sstream>

#include "command_table.hpp"
#include "docs/help_text.hpp"

namespace tern::cli {
namespace {

TEST(ManPage, DocumentsEveryCommandAndOption) {
    std::ostringstream out;
    print_man_page(out);
    std::string page = out.str();
    EXPECT_EQ(page.substr(0, 8), ".TH XM 1");
    for (const auto& spec : command_table()) {
        std::string name;
        for (char c : spec.name) {
            name += c == '-' ? std::string("\\-") : std::string(1, c);
        }
        EXPECT_NE(page.find(".SS \"xm " + name), std::string::npos) << spec.name;
        for (const auto& option : spec.options) {
            std::string long_name;
            for (char c : option.long_name) {
                long_name += c == '-' ? std::string("\\-") : std::string(1, c);
            }
            EXPECT_NE(page.find("\\fB\\-\\-" + long_name + "\\fR"), std::string::npos)
                << spec.name << " --" << option.long_name;
        }
    }
    EXPECT_NE(page.find(".SH CONFIG FILES"), std::string::npos);
}

TEST(BashCompletion, CompletesCommandsOptionsAndDomains) {
    std::ostringstream out;
    print_bash_completion(out);
    std::string script = out.str();
    for (const auto& spec : command_table()) {
        EXPECT_NE(script.find("        " + spec.name + ") options=\""), std::string::npos)
            << spec.name;
    }
    EXPECT_NE(script.find("list --names"), std::string::npos);
    EXPECT_NE(script.find("complete -F _xm xm"), std::string::npos);
    EXPECT_NE(script.find("destroy) options=\"\"; kind=domain"), std::string::npos);
    EXPECT_NE(script.find("create) options=\"--console -c --paused -p --dryrun -n \"; kind=file"),
              std::string::npos);
}

}  // namespace
}  // namespace tern::cli
