// Raw mode with termios.
#include "terminal/raw_terminal.hpp"

#include <unistd.h>

namespace tern::cli {

RawTerminal::RawTerminal(int fd) : fd_(fd) {
    if (::isatty(fd) != 1 || ::tcgetattr(fd, &saved_) != 0) {
        return;
    }
    termios raw = saved_;
    ::cfmakeraw(&raw);
    raw.c_oflag |= OPOST | ONLCR;  // keep "\n" meaning a new line on output
    active_ = ::tcsetattr(fd, TCSANOW, &raw) == 0;
}

RawTerminal::~RawTerminal() {
    if (active_) {
        ::tcsetattr(fd_, TCSANOW, &saved_);
    }
}

}  // namespace tern::cli
