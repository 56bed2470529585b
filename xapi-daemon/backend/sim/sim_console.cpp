// The simulated guest's console: a socket pair per client, one thread per console.
#include "backend/sim/sim_console.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace tern::xapi {
namespace {

constexpr char kBackspace = 0x08;
constexpr char kDelete = 0x7f;

void send_now(int fd, const std::string& text) {
    // A full socket drops the rest: a client that does not read loses output.
    (void)!::send(fd, text.data(), text.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace

SimConsole::SimConsole(DomainId domain, std::string name)
    : domain_(domain),
      name_(std::move(name)),
      prompt_((name_.empty() ? "domain-" + std::to_string(domain.value) : name_) + "# ") {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
        wake_read_ = fds[0];
        wake_write_ = fds[1];
    }
    thread_ = std::thread([this] { run(); });
}

SimConsole::~SimConsole() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake();
    thread_.join();
    for (int fd : clients_)
        ::close(fd);
    for (int fd : pending_)
        ::close(fd);
    if (wake_read_ >= 0)
        ::close(wake_read_);
    if (wake_write_ >= 0)
        ::close(wake_write_);
}

Outcome<ConsoleStream> SimConsole::attach() {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        return BackendError{"INTERNAL_ERROR",
                            {std::string("console socket pair: ") + std::strerror(errno)}};
    }
    ::fcntl(pair[1], F_SETFL, ::fcntl(pair[1], F_GETFL) | O_NONBLOCK);
    send_now(pair[1], "\r\nTern simulated guest " + name_ + " (domain " +
                          std::to_string(domain_.value) + "): a line-echoing console\r\n" +
                          prompt_);
    {
        std::lock_guard lock(mutex_);
        pending_.push_back(pair[1]);
    }
    wake();
    return ConsoleStream(pair[0]);
}

void SimConsole::wake() {
    const char byte = 1;
    (void)!::write(wake_write_, &byte, 1);
}

void SimConsole::run() {
    std::vector<pollfd> fds;
    char buffer[4096];
    for (;;) {
        fds.clear();
        fds.push_back({wake_read_, POLLIN, 0});
        for (int fd : clients_)
            fds.push_back({fd, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            return;
        }
        if (fds[0].revents != 0) {
            while (::read(wake_read_, buffer, sizeof buffer) > 0) {
            }
            std::lock_guard lock(mutex_);
            if (stopping_)
                return;
            clients_.insert(clients_.end(), pending_.begin(), pending_.end());
            pending_.clear();
        }
        std::vector<int> gone;
        for (std::size_t i = 1; i < fds.size(); ++i) {
            if (fds[i].revents == 0)
                continue;
            const ssize_t n = ::recv(fds[i].fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                gone.push_back(fds[i].fd);
                continue;
            }
            if (n > 0)
                broadcast(on_input(buffer, static_cast<std::size_t>(n)));
        }
        for (int fd : gone) {
            clients_.erase(std::remove(clients_.begin(), clients_.end(), fd), clients_.end());
            ::close(fd);
        }
    }
}

std::string SimConsole::on_input(const char* data, std::size_t size) {
    std::string reply;
    for (std::size_t i = 0; i < size; ++i) {
        const char c = data[i];
        const bool after_cr = std::exchange(last_was_cr_, c == '\r');
        if (c == '\r' || c == '\n') {
            // A terminal sends CR for Enter; a pipe sends LF; CR LF counts once.
            if (c == '\n' && after_cr)
                continue;
            reply += "\r\n";
            if (!line_.empty())
                reply += "echo: " + line_ + "\r\n";
            reply += prompt_;
            line_.clear();
        } else if (c == kBackspace || c == kDelete) {
            if (!line_.empty()) {
                line_.pop_back();
                reply += "\b \b";
            }
        } else if (static_cast<unsigned char>(c) >= 0x20) {
            line_.push_back(c);
            reply.push_back(c);
        }
    }
    return reply;
}

void SimConsole::broadcast(const std::string& text) {
    if (text.empty())
        return;
    for (int fd : clients_)
        send_now(fd, text);
}

}  // namespace tern::xapi
