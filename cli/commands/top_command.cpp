// top: redraws the domains' figures every few seconds until q (or -i updates).
#include <poll.h>
#include <unistd.h>

#include <chrono>
#include <ctime>

#include "commands/domain_lookup.hpp"
#include "commands/handlers.hpp"
#include "terminal/raw_terminal.hpp"
#include "terminal/top_view.hpp"

namespace tern::cli {
namespace {

std::string clock_now() {
    std::time_t now = std::time(nullptr);
    std::tm parts{};
    localtime_r(&now, &parts);
    char text[16];
    std::strftime(text, sizeof text, "%H:%M:%S", &parts);
    return text;
}

// Waits up to `milliseconds` for a key; true when the user asked to quit.
bool quit_requested(int milliseconds) {
    pollfd input{STDIN_FILENO, POLLIN, 0};
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(milliseconds);
    while (true) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - std::chrono::steady_clock::now())
                        .count();
        if (left <= 0) {
            return false;
        }
        if (::poll(&input, 1, static_cast<int>(left)) <= 0) {
            return false;
        }
        char key = 0;
        if (::read(STDIN_FILENO, &key, 1) != 1) {
            input.fd = -1;  // no more input: just keep refreshing
            continue;
        }
        if (key == 'q' || key == 'Q' || key == 3 /* Ctrl-C in raw mode */) {
            return true;
        }
    }
}

}  // namespace

int run_top(Invocation& invocation) {
    double delay = 3;
    if (invocation.has("delay")) {
        try {
            delay = std::stod(invocation.value("delay"));
        } catch (...) {
            throw UsageError("the delay must be a number of seconds");
        }
        if (delay <= 0) {
            throw UsageError("the delay must be positive");
        }
    }
    long long iterations = -1;
    if (invocation.has("iterations")) {
        iterations = parse_count(invocation.value("iterations"), "the number of iterations");
    }
    bool full_screen = !invocation.has("batch") && invocation.context.out_is_terminal;
    auto& out = invocation.out();
    RawTerminal raw(STDIN_FILENO);
    if (full_screen) {
        out << "\x1b[?1049h\x1b[?25l";  // alternate screen, hide the cursor
    }
    for (long long round = 0; iterations < 0 || round < iterations; ++round) {
        auto lines = render_top(invocation.api().host(), domains(invocation.api()), clock_now());
        if (full_screen) {
            out << "\x1b[H\x1b[2J";
            for (std::size_t i = 0; i < lines.size(); ++i) {
                out << lines[i] << "\r\n";
            }
            out << "\r\nq: quit" << std::flush;
        } else {
            for (const auto& line : lines) {
                out << line << "\n";
            }
            out << std::flush;
        }
        if (iterations >= 0 && round + 1 >= iterations) {
            break;
        }
        if (quit_requested(static_cast<int>(delay * 1000))) {
            break;
        }
    }
    if (full_screen) {
        out << "\x1b[?25h\x1b[?1049l" << std::flush;
    }
    return 0;
}

}  // namespace tern::cli
