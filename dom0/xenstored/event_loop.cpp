// The epoll event loop of the daemon.
#include "xenstored/event_loop.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "xenstored/socket_transport.hpp"

namespace tern::dom0::xenstored {

EventLoop::EventLoop(XenstoreServer& server, UniqueFd listen_fd)
    : server_(server), listen_fd_(std::move(listen_fd)), epoll_fd_(::epoll_create1(EPOLL_CLOEXEC)) {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    signal_fd_ = UniqueFd(::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
    ::signal(SIGPIPE, SIG_IGN);
    for (int fd : {listen_fd_.get(), signal_fd_.get()}) {
        if (fd >= 0) {
            epoll_event event{};
            event.events = EPOLLIN;
            event.data.fd = fd;
            ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &event);
        }
    }
}

void EventLoop::watch_connection(ConnectionId id) {
    Transport* transport = server_.transport(id);
    if (transport == nullptr || transport->event_fd() < 0) {
        return;
    }
    const int fd = transport->event_fd();
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &event);
    by_fd_[fd] = id;
    fd_of_[id] = fd;
    waiting_writable_[id] = false;
    if (!transport->waits_for_writable()) {
        // A ring may already hold requests whose notification came before we bound the
        // event channel.
        server_.service(id);
    }
}

void EventLoop::watch_fd(int fd, std::function<void()> on_readable) {
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &event);
    other_fds_[fd] = std::move(on_readable);
}

void EventLoop::accept_clients() {
    for (;;) {
        UniqueFd client = accept_connection(listen_fd_.get());
        if (!client.valid()) {
            return;
        }
        const ConnectionId id = server_.add_connection(
            std::make_unique<SocketTransport>(std::move(client)), Caller{kDom0, true, {}});
        watch_connection(id);
    }
}

void EventLoop::update_interest(ConnectionId id) {
    Transport* transport = server_.transport(id);
    const auto fd = fd_of_.find(id);
    if (transport == nullptr || fd == fd_of_.end() || !transport->waits_for_writable()) {
        return;
    }
    const bool want = server_.has_pending_output(id);
    if (want == waiting_writable_[id]) {
        return;
    }
    waiting_writable_[id] = want;
    epoll_event event{};
    event.events = EPOLLIN | (want ? EPOLLOUT : 0U);
    event.data.fd = fd->second;
    ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_MOD, fd->second, &event);
}

void EventLoop::sync_connections() {
    for (ConnectionId id : server_.take_opened()) {
        watch_connection(id);
    }
    // Forget closed connections before the server destroys their transports (and fds).
    std::vector<ConnectionId> closed;
    for (const auto& [id, fd] : fd_of_) {
        if (server_.transport(id) != nullptr) {
            continue;
        }
        closed.push_back(id);
    }
    for (ConnectionId id : server_.take_closed()) {
        closed.push_back(id);
    }
    for (ConnectionId id : closed) {
        const auto fd = fd_of_.find(id);
        if (fd != fd_of_.end()) {
            by_fd_.erase(fd->second);
            fd_of_.erase(fd);
        }
        waiting_writable_.erase(id);
    }
    for (const auto& [id, fd] : fd_of_) {
        update_interest(id);
    }
}

bool EventLoop::run(std::string& error) {
    if (!epoll_fd_.valid() || !signal_fd_.valid()) {
        error = std::string("epoll or signalfd: ") + std::strerror(errno);
        return false;
    }
    std::array<epoll_event, 32> events{};
    for (;;) {
        const int n = ::epoll_wait(epoll_fd_.get(), events.data(), events.size(), -1);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            error = std::string("epoll_wait: ") + std::strerror(errno);
            return false;
        }
        for (int i = 0; i < n; ++i) {
            const int fd = events[static_cast<std::size_t>(i)].data.fd;
            if (fd == signal_fd_.get()) {
                return true;
            }
            if (fd == listen_fd_.get()) {
                accept_clients();
                continue;
            }
            const auto connection = by_fd_.find(fd);
            if (connection != by_fd_.end()) {
                server_.service(connection->second);
            }
            const auto other = other_fds_.find(fd);
            if (other != other_fds_.end()) {
                other->second();
            }
        }
        server_.flush_all();
        sync_connections();
    }
}

}  // namespace tern::dom0::xenstored
