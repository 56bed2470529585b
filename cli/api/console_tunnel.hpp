// Defines open_console_tunnel: a text console opened the way XenAPI hosts serve them, with
// `CONNECT /console?ref=...&session_id=... HTTP/1.0` on the server xm already talks to (its
// Unix socket, https://, http://, or ssh://: a new `ssh HOST xapid --stdio`), so that a
// console is reachable through the same forwarded port or socket as the API, whatever host name
// its location carries.
#pragma once

#include <string>

#include "connection/connection_settings.hpp"

namespace tern::cli {

// Sends the CONNECT for `target` (path and query) and returns, once the server has answered
// 200, a descriptor that carries the console's bytes both ways (for TLS, one end of a socket
// pair that a thread of its own relays through the TLS connection). Throws ApiFailure when
// the server refuses with a XenAPI error, std::runtime_error otherwise.
int open_console_tunnel(const ConnectionSettings& settings, const std::string& target);

}  // namespace tern::cli
