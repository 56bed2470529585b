// Defines EventLoop, the daemon's single-threaded epoll loop: it accepts socket clients, waits
// on every connection's fd and hands ready connections to the XenstoreServer.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "xenstored/unique_fd.hpp"
#include "xenstored/xenstore_server.hpp"

namespace tern::dom0::xenstored {

class EventLoop {
  public:
    // `listen_fd` is the Unix socket clients connect to (may be invalid: no socket).
    EventLoop(XenstoreServer& server, UniqueFd listen_fd);

    // Starts watching a connection the server already has.
    void watch_connection(ConnectionId id);
    // Calls `on_readable` whenever `fd` is readable (an event channel of the daemon's own).
    void watch_fd(int fd, std::function<void()> on_readable);
    // Runs until SIGINT or SIGTERM; returns false (with `error`) if the loop cannot run.
    bool run(std::string& error);

  private:
    void accept_clients();
    void sync_connections();
    void update_interest(ConnectionId id);

    XenstoreServer& server_;
    UniqueFd listen_fd_;
    UniqueFd epoll_fd_;
    UniqueFd signal_fd_;
    std::map<int, ConnectionId> by_fd_;
    std::map<ConnectionId, int> fd_of_;
    std::map<ConnectionId, bool> waiting_writable_;
    std::map<int, std::function<void()>> other_fds_;
};

}  // namespace tern::dom0::xenstored
