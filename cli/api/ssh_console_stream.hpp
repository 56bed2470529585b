// Defines open_ssh_stream: a byte stream to xapid through the ssh transport, for consoles over
// ssh:// (`ssh [-p PORT] [USER@]HOST xapid --stdio`, whose stdin and stdout are one end of a
// socket pair). In dom0, `xapid --stdio` is relayed to the running daemon's Unix socket, so the
// stream takes the same `CONNECT /console?...` as the socket does.
#pragma once

#include <string>
#include <vector>

namespace tern::cli {

// The ssh program (`ssh`, found on PATH) and its arguments for `server`
// (ssh://[user@]host[:port][/...]); throws std::runtime_error for another scheme.
std::vector<std::string> ssh_command_for(const std::string& server);

// Starts that command and returns the local end of its stdin/stdout socket pair. The ssh child
// is ended (SIGTERM) and reaped when xm exits, if it has not ended by then. Throws
// std::runtime_error when it cannot be started.
int open_ssh_stream(const std::string& server);

}  // namespace tern::cli
