// xm's entry point: the real streams, the real environment and the binding's connection.
#include <unistd.h>

#include <iostream>

#include "app.hpp"

int main(int argc, char** argv) {
    std::vector<std::string> words(argv + 1, argv + argc);
    tern::cli::AppEnvironment environment{std::cout, std::cerr, ::isatty(STDOUT_FILENO) == 1,
                                          tern::cli::ConnectionSources::from_process(),
                                          tern::cli::connect_xen_api};
    int status = tern::cli::run_xm(words, environment);
    std::cout.flush();
    return status;
}
