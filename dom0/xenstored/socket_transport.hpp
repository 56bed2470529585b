// Defines SocketTransport, a connection over a Unix stream socket (dom0's tools), and the
// listening socket they connect to.
#pragma once

#include <string>

#include "xenstored/transport.hpp"
#include "xenstored/unique_fd.hpp"

namespace tern::dom0::xenstored {

// The socket libxenstore connects to unless XENSTORED_PATH says otherwise.
inline constexpr const char* kDefaultSocketPath = "/var/run/xenstored/socket";

class SocketTransport : public Transport {
  public:
    // Takes an accepted, non-blocking socket.
    explicit SocketTransport(UniqueFd fd) : fd_(std::move(fd)) {}

    IoResult read(std::span<char> out) override;
    IoResult write(std::span<const char> in) override;
    int event_fd() const override { return fd_.get(); }
    bool waits_for_writable() const override { return true; }
    std::string describe() const override;

  private:
    UniqueFd fd_;
};

// Creates the directory of `path` if needed, replaces a stale socket file and listens there
// (non-blocking). Returns an invalid fd and sets `error` on failure.
UniqueFd listen_unix_socket(const std::string& path, std::string& error);

// Accepts one pending connection as non-blocking, or an invalid fd.
UniqueFd accept_connection(int listen_fd);

}  // namespace tern::dom0::xenstored
