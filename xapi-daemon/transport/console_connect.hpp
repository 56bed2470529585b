// Defines the seam for text consoles on the API's HTTP listeners, as XenAPI hosts serve them:
// a console record's location is https://HOST/console?ref=OpaqueRef:..., and a client opens it
// with `CONNECT /console?ref=...&session_id=... HTTP/1.0` (the session may also come as a
// `session_id` cookie, or a login as HTTP Basic authorization). The answer is
// `HTTP/1.1 200 OK` and an empty line, after which the connection carries the console's raw
// bytes both ways until either side closes; or an error status with a body naming the XenAPI
// error. The transport relays the bytes (transport/console_run.hpp); a ConsoleConnector
// (xapid's API) decides who may and opens the console.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "rpc/request_handler.hpp"
#include "transport/disk_transfer.hpp"

namespace tern::xapi {

struct ConsoleRequest {
    std::string target;         // the request target: path and query
    std::string cookie;         // the Cookie header, if any
    std::string authorization;  // the Authorization header, if any
    rpc::Peer peer;
};

class ConsoleConnector {
  public:
    virtual ~ConsoleConnector() = default;
    // True when the target's path is the console endpoint.
    static bool is_console(std::string_view target) {
        return target.substr(0, target.find('?')) == "/console";
    }
    // Checks the caller and attaches to the console, off the I/O threads; `done` gets, from
    // any thread, a file descriptor it then owns (a bidirectional stream to the console), or
    // the failure to answer (its status and body).
    using Opened = std::function<void(int fd, std::optional<TransferFailure> failure)>;
    virtual void open(ConsoleRequest request, Opened done) = 0;
};

}  // namespace tern::xapi
