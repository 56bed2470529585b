// Defines ConsoleConnections: xapid's side of consoles over HTTP CONNECT
// (transport/console_connect.hpp). The caller names a console by `ref=` (or `uuid=`) and
// proves who it is with a session (`session_id=` in the query, or a `session_id` cookie, as
// XenAPI clients send it) or HTTP Basic credentials (a login for the one attach). Attaching
// takes the vm-operator role. Refusals answer an HTTP status with the XenAPI error as a JSON
// array in the body (as the raw disk endpoints do):
//   400 MESSAGE_PARAMETER_MISSING (no ref) or VALUE_NOT_SUPPORTED (not a vt100 console),
//   401 SESSION_INVALID / SESSION_AUTHENTICATION_FAILED, 403 RBAC_PERMISSION_DENIED,
//   404 HANDLE_INVALID / UUID_INVALID, 409 VM_BAD_POWER_STATE (the VM is not running or
//   paused) or OTHER_OPERATION_IN_PROGRESS, 501 NOT_IMPLEMENTED (the backend has no
//   consoles), 500 anything else.
// Several clients may attach to one console at once if the backend allows it (sim does).
#pragma once

#include <functional>
#include <memory>

#include "api/call_context.hpp"
#include "transport/console_connect.hpp"

namespace tern::xapi {

class ConsoleConnections : public ConsoleConnector {
  public:
    using Post = std::function<void(std::function<void()>)>;
    // `post` runs work off the I/O threads (logins may wait on PAM, the backend may block).
    ConsoleConnections(ApiState& state, Post post) : state_(state), post_(std::move(post)) {}
    void open(ConsoleRequest request, Opened done) override;

    // Checks the request and attaches, on the calling thread; returns the console's file
    // descriptor (the caller owns it) or throws TransferFailure.
    int open_now(const ConsoleRequest& request);

  private:
    ApiState& state_;
    Post post_;
};

// The value of the cookie `name` in a Cookie header, if present.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

}  // namespace tern::xapi
