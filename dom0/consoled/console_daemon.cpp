#include "dom0/consoled/console_daemon.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <set>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "xenstored/daemon_wakeups.hpp"

#include "dom0/consoled/guest_console.hpp"
#include "dom0/control/control_error.hpp"

namespace tern::dom0::consoled {

namespace {

namespace xs = xenstored;

constexpr const char* kWatchToken = "tern-consoled";
// A guest signals after each write; the loop also looks at every ring this often, so that a
// signal lost before the port was bound delays output by at most this much.
constexpr int kIdleServiceMs = 1000;

void make_directories(const std::string& path) {
    for (std::size_t at = 1; at != std::string::npos;) {
        at = path.find('/', at + 1);
        const std::string prefix = path.substr(0, at);
        if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST)
            throw std::system_error(errno, std::generic_category(), "mkdir " + prefix);
    }
}

// Follows xenstored's domain watches on its own connection (XenstoreClient blocks) and wakes
// the loop through a pipe.

}  // namespace

ConsoleDaemon::ConsoleDaemon(Privcmd& privcmd, ControlClient& control, DaemonOptions options)
    : privcmd_(privcmd),
      control_(control),
      options_(std::move(options)),
      store_(options_.xenstore_socket) {
    if (!store_.connected())
        throw std::runtime_error("cannot reach xenstored at " + options_.xenstore_socket +
                                 " (is it running?)");
    make_directories(options_.log_dir);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
        throw std::system_error(errno, std::generic_category(), "pipe");
    wake_read_ = xs::UniqueFd(fds[0]);
    wake_write_ = xs::UniqueFd(fds[1]);
}

ConsoleDaemon::~ConsoleDaemon() = default;

void ConsoleDaemon::log(const std::string& line) const {
    std::cerr << "tern-consoled: " << line << std::endl;
}

std::string ConsoleDaemon::log_path(std::uint32_t domain) const {
    return options_.log_dir + "/guest-" + std::to_string(domain) + ".log";
}

void ConsoleDaemon::rescan() {
    std::set<std::uint32_t> listed;
    try {
        for (const auto& info : control_.list())
            listed.insert(info.domain);
    } catch (const ControlError& e) {
        log(std::string("listing domains: ") + e.what());
        return;
    }
    for (auto it = consoles_.begin(); it != consoles_.end();) {
        const std::uint32_t domain = (it++)->first;
        if (!listed.contains(domain))
            forget(domain);
    }
    for (const std::uint32_t domain : listed) {
        if (domain == 0 || consoles_.contains(domain))
            continue;
        const std::string prefix = "domain " + std::to_string(domain) + ": ";
        std::unique_ptr<DomainConsole> console;
        try {
            console = attach_guest_console(
                privcmd_, control_, domain, log_path(domain),
                [this, prefix](const std::string& line) { log(prefix + line); });
        } catch (const std::exception& e) {
            log(prefix + "cannot attach to its console: " + e.what());
            continue;
        }
        if (!console) {
            if (options_.verbose)
                log(prefix + "no console page yet");
            continue;
        }
        const std::string key = "/local/domain/" + std::to_string(domain) + "/console/tty";
        if (!store_.write(key, console->pty_path()).ok())
            log(prefix + "cannot write " + key);
        log(prefix + "console on " + console->pty_path() + ", log " + log_path(domain));
        console->service();  // what it wrote before we were there
        consoles_.emplace(domain, std::move(console));
    }
}

void ConsoleDaemon::forget(std::uint32_t domain) {
    consoles_.erase(domain);
    log("domain " + std::to_string(domain) + ": gone, its console closed");
}

int ConsoleDaemon::run() {
    xs::UniqueFd signals = xs::stop_signal_fd();

    std::thread(xs::forward_watch_events, options_.xenstore_socket,
                std::vector<std::string>{"@introduceDomain", "@releaseDomain"}, kWatchToken,
                wake_write_.get())
        .detach();
    rescan();
    log("serving consoles; logs in " + options_.log_dir);

    std::vector<pollfd> fds;
    std::vector<std::uint32_t> owners;  // the domain of each fds[i] from 2 on
    for (;;) {
        fds.assign({{signals.get(), POLLIN, 0}, {wake_read_.get(), POLLIN, 0}});
        owners.clear();
        for (const auto& [domain, console] : consoles_) {
            fds.push_back({console->event_fd(), POLLIN, 0});
            short pty_events = 0;
            if (console->wants_pty_input())
                pty_events |= POLLIN;
            if (console->wants_pty_writable())
                pty_events |= POLLOUT;
            fds.push_back({console->pty_fd(), pty_events, 0});
            owners.push_back(domain);
        }
        const int ready = ::poll(fds.data(), fds.size(), kIdleServiceMs);
        if (ready < 0 && errno != EINTR)
            throw std::system_error(errno, std::generic_category(), "poll");
        if (ready <= 0) {
            for (auto& [domain, console] : consoles_)
                console->service();
            continue;
        }
        if (fds[0].revents != 0) {
            log("stopping");
            return 0;
        }
        for (std::size_t i = 0; i < owners.size(); ++i) {
            DomainConsole& console = *consoles_.at(owners[i]);
            const pollfd& event = fds[2 + 2 * i];
            const pollfd& pty = fds[3 + 2 * i];
            if (event.revents != 0)
                console.on_event();
            if (pty.revents & POLLOUT)
                console.on_pty_writable();
            if (pty.revents & POLLIN)
                console.on_pty_readable();
        }
        if (fds[1].revents != 0) {
            char bytes[64];
            const ssize_t n = ::read(wake_read_.get(), bytes, sizeof bytes);
            if (n > 0 && std::memchr(bytes, 'x', static_cast<std::size_t>(n)) != nullptr) {
                log("lost xenstored's watches; stopping");
                return 1;
            }
            rescan();
        }
    }
}

}  // namespace tern::dom0::consoled
