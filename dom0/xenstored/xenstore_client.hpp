// Defines XenstoreClient, a small blocking client of xenstored's Unix socket for dom0's own
// tools (the domain builder writes a guest's entries and introduces it with this). One request
// at a time; watch events that arrive meanwhile are kept for next_event(). A broken connection
// shows as EIO.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "xenstored/domain_id.hpp"
#include "xenstored/permissions.hpp"
#include "xenstored/unique_fd.hpp"
#include "xenstored/wire.hpp"
#include "xenstored/xs_error.hpp"

namespace tern::dom0::xenstored {

class XenstoreClient {
  public:
    // Connects to a socket path (kDefaultSocketPath, or XENSTORED_PATH in the caller's hands);
    // an invalid client (connected() false) if that fails.
    explicit XenstoreClient(const std::string& socket_path);
    // Takes an already connected stream socket, or an open /dev/xen/xenbus (the kernel's
    // own xenstore connection, which speaks the same protocol).
    explicit XenstoreClient(UniqueFd fd) : fd_(std::move(fd)) {}

    bool connected() const { return fd_.valid(); }

    XsResult<std::string> read(std::string_view path, std::uint32_t tx = 0);
    XsStatus write(std::string_view path, std::string_view value, std::uint32_t tx = 0);
    XsStatus mkdir(std::string_view path, std::uint32_t tx = 0);
    XsStatus remove(std::string_view path, std::uint32_t tx = 0);
    XsResult<std::vector<std::string>> directory(std::string_view path, std::uint32_t tx = 0);
    XsStatus set_permissions(std::string_view path, const std::vector<Permission>& permissions,
                             std::uint32_t tx = 0);
    XsResult<std::uint32_t> transaction_start();
    // Commits (or aborts); EAGAIN means the caller should run its transaction again.
    XsStatus transaction_end(std::uint32_t tx, bool commit);
    XsStatus introduce(DomainId domid, std::uint64_t frame, std::uint32_t event_channel);
    XsStatus release(DomainId domid);
    XsStatus watch(std::string_view path, std::string_view token);
    XsStatus unwatch(std::string_view path, std::string_view token);
    // Blocks for the next watch event: {path, token}. EIO if the connection closed.
    XsResult<std::pair<std::string, std::string>> next_event();
    // Whether next_event() has something to return without blocking long: an event is kept,
    // or the connection became readable within `timeout` (or closed: next_event says EIO).
    bool event_ready(std::chrono::milliseconds timeout);

  private:
    // Sends one request and returns its reply payload, or the ERROR reply's error (EIO when the
    // connection failed).
    XsResult<std::string> request(MessageType type, std::string_view payload, std::uint32_t tx);
    XsStatus request_ok(MessageType type, std::string_view payload, std::uint32_t tx);
    bool receive(Message& message);
    bool send_all(std::string_view bytes);

    UniqueFd fd_;
    std::uint32_t next_req_id_ = 1;
    std::deque<std::pair<std::string, std::string>> events_;
};

}  // namespace tern::dom0::xenstored
