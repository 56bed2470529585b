#include "dom0/consoled/console_pty.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <system_error>

namespace tern::dom0::consoled {

namespace {

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

ConsolePty::ConsolePty(std::size_t pending_limit) : pending_limit_(pending_limit) {
    master_ = xenstored::UniqueFd(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master_.valid())
        fail("open a pseudo-terminal");
    if (::grantpt(master_.get()) != 0 || ::unlockpt(master_.get()) != 0)
        fail("unlock a pseudo-terminal");
    char name[128];
    if (::ptsname_r(master_.get(), name, sizeof name) != 0)
        fail("name a pseudo-terminal");
    path_ = name;
    slave_ = xenstored::UniqueFd(::open(name, O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!slave_.valid())
        fail("open a pseudo-terminal's slave");
    // Raw: bytes pass unchanged both ways and the pty does not echo (the guest does).
    termios mode{};
    if (::tcgetattr(slave_.get(), &mode) != 0)
        fail("read a pseudo-terminal's mode");
    ::cfmakeraw(&mode);
    if (::tcsetattr(slave_.get(), TCSANOW, &mode) != 0)
        fail("set a pseudo-terminal raw");
    const int flags = ::fcntl(master_.get(), F_GETFL);
    if (flags < 0 || ::fcntl(master_.get(), F_SETFL, flags | O_NONBLOCK) != 0)
        fail("make a pseudo-terminal non-blocking");
}

void ConsolePty::write(std::string_view bytes) {
    pending_.append(bytes.data(), bytes.size());
    if (pending_.size() > pending_limit_) {
        const std::size_t excess = pending_.size() - pending_limit_;
        pending_.erase(0, excess);
        dropped_ += excess;
    }
    flush();
}

void ConsolePty::flush() {
    while (!pending_.empty()) {
        const ssize_t n = ::write(master_.get(), pending_.data(), pending_.size());
        if (n <= 0)
            return;  // full (EAGAIN) or broken: kept until the master is writable
        pending_.erase(0, static_cast<std::size_t>(n));
    }
}

std::string ConsolePty::read_input(std::size_t max) {
    std::string input(max, '\0');
    const ssize_t n = ::read(master_.get(), input.data(), max);
    input.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    return input;
}

}  // namespace tern::dom0::consoled
