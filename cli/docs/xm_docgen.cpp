// xm-docgen: writes xm's man page (man) or bash completion script (bash-completion) to stdout;
// the build runs it so both always match the command table.
#include <iostream>
#include <string>

#include "docs/help_text.hpp"

int main(int argc, char** argv) {
    std::string what = argc > 1 ? argv[1] : "";
    if (what == "man") {
        tern::cli::print_man_page(std::cout);
    } else if (what == "bash-completion") {
        tern::cli::print_bash_completion(std::cout);
    } else {
        std::cerr << "usage: xm-docgen man|bash-completion\n";
        return 2;
    }
    return 0;
}
