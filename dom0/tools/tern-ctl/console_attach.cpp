#include "console_attach.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "dom0/control/control_error.hpp"

namespace tern::dom0 {

namespace {

[[noreturn]] void fail(const std::string& what) {
    const int error = errno;
    throw ControlError(what + ": " + std::strerror(error), error);
}

bool write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Raw mode on a terminal for as long as it lives; nothing for anything else.
class RawTerminal {
  public:
    explicit RawTerminal(int fd) : fd_(fd) {
        if (::isatty(fd) != 1 || ::tcgetattr(fd, &saved_) != 0)
            return;
        termios raw = saved_;
        ::cfmakeraw(&raw);
        active_ = ::tcsetattr(fd, TCSANOW, &raw) == 0;
    }
    ~RawTerminal() {
        if (active_)
            ::tcsetattr(fd_, TCSANOW, &saved_);
    }
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;

  private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

class OwnedFd {
  public:
    explicit OwnedFd(int fd) : fd_(fd) {}
    ~OwnedFd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

}  // namespace

int attach_console(const std::string& pty_path, int in, int out) {
    OwnedFd pty(::open(pty_path.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (pty.get() < 0)
        fail("cannot open the console " + pty_path);
    RawTerminal raw(in);
    write_all(STDERR_FILENO, "tern-ctl: attached to " + pty_path + " (Ctrl-] detaches)\r\n");
    char buffer[4096];
    for (;;) {
        pollfd fds[2] = {{in, POLLIN, 0}, {pty.get(), POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            fail("wait for the console");
        }
        if (fds[1].revents != 0) {
            const ssize_t n = ::read(pty.get(), buffer, sizeof buffer);
            if (n <= 0) {
                const std::string closed = "\r\ntern-ctl: the console closed\r\n";
                write_all(STDERR_FILENO, closed);
                return 1;
            }
            if (!write_all(out, std::string_view(buffer, static_cast<std::size_t>(n)))) {
                write_all(STDERR_FILENO, "\r\ntern-ctl: cannot write the console's output\r\n");
                return 1;
            }
        }
        if (fds[0].revents != 0) {
            const ssize_t n = ::read(in, buffer, sizeof buffer);
            if (n <= 0) {
                write_all(STDERR_FILENO, "\r\ntern-ctl: end of input, detached\r\n");
                return 0;
            }
            const std::string_view typed(buffer, static_cast<std::size_t>(n));
            const std::size_t detach = typed.find(kDetachByte);
            if (!write_all(pty.get(), typed.substr(0, detach))) {
                write_all(STDERR_FILENO, "\r\ntern-ctl: cannot write to the console\r\n");
                return 1;
            }
            if (detach != std::string_view::npos) {
                write_all(STDERR_FILENO, "\r\ntern-ctl: detached\r\n");
                return 0;
            }
        }
    }
}

void print_console_log(const std::string& log_path, int out) {
    OwnedFd log(::open(log_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (log.get() < 0)
        fail("cannot read the console log " + log_path);
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(log.get(), buffer, sizeof buffer);
        if (n < 0)
            fail("read " + log_path);
        if (n == 0 || !write_all(out, std::string_view(buffer, static_cast<std::size_t>(n))))
            return;
    }
}

}  // namespace tern::dom0
