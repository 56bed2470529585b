// console: relays the terminal to a domain's text console until Ctrl-] or the console closes.
#include <poll.h>
#include <unistd.h>

#include <iostream>

#include "commands/domain_lookup.hpp"
#include "commands/handlers.hpp"
#include "terminal/raw_terminal.hpp"

namespace tern::cli {
namespace {

constexpr char kEscape = 0x1d;  // Ctrl-]

// Copies bytes both ways; returns when either side ends or the user types Ctrl-].
void relay(int console, std::ostream& out) {
    out.flush();
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {console, POLLIN, 0}};
    char buffer[4096];
    while (::poll(fds, 2, -1) > 0) {
        if (fds[1].revents & (POLLIN | POLLHUP)) {
            ssize_t n = ::read(console, buffer, sizeof buffer);
            if (n <= 0) {
                return;
            }
            out.write(buffer, n);
            out.flush();
        }
        if (fds[0].revents & (POLLIN | POLLHUP)) {
            ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
            if (n <= 0) {
                fds[0].fd = -1;  // input ended: keep showing output
                continue;
            }
            for (ssize_t i = 0; i < n; ++i) {
                if (buffer[i] == kEscape) {
                    if (i > 0) {
                        (void)!::write(console, buffer, static_cast<std::size_t>(i));
                    }
                    return;
                }
            }
            if (::write(console, buffer, static_cast<std::size_t>(n)) < 0) {
                return;
            }
        }
    }
}

}  // namespace

int run_console(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    std::string location;
    for (const auto& console : invocation.api().consoles_of(vm.ref)) {
        if (console.protocol == "vt100") {
            location = console.location;
        }
    }
    if (location.empty()) {
        if (invocation.has("quiet")) {
            return 1;
        }
        throw CommandError("Domain " + vm.name + " has no text console.");
    }
    if (!is_running(vm)) {
        throw CommandError("Domain " + vm.name + " is not running.");
    }
    int fd = invocation.api().console_connect(location);
    {
        RawTerminal raw(STDIN_FILENO);
        relay(fd, invocation.out());
    }
    ::close(fd);
    invocation.out() << "\n";
    return 0;
}

}  // namespace tern::cli
