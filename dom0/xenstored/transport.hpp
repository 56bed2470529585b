// Defines Transport, how one connection's bytes move: a Unix socket, a guest's shared ring or
// dom0's xenbus backend ring. The server sees only this interface.
#pragma once

#include <cstddef>
#include <span>
#include <string>

namespace tern::dom0::xenstored {

struct IoResult {
    std::size_t bytes = 0;
    // The peer went away or broke the protocol; the connection must be closed.
    bool closed = false;
};

class Transport {
  public:
    virtual ~Transport() = default;
    // Reads what is available now (0 bytes if nothing is).
    virtual IoResult read(std::span<char> out) = 0;
    // Writes what fits now.
    virtual IoResult write(std::span<const char> in) = 0;
    // The file descriptor the event loop waits on for this connection, or -1.
    virtual int event_fd() const = 0;
    // Consumes the notification that made event_fd readable (event channels need it).
    virtual void acknowledge_event() {}
    // True if a write that did not fit waits for event_fd to become writable (sockets); false if
    // it waits for the peer's next notification (rings).
    virtual bool waits_for_writable() const { return false; }
    // What the connection is, for logs ("socket fd 7", "domain 3 ring").
    virtual std::string describe() const = 0;
};

}  // namespace tern::dom0::xenstored
