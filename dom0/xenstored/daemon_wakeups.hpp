// Declares what dom0's daemons (tern-consoled, tern-blkback) wake on besides their own devices:
// SIGINT/SIGTERM as a readable descriptor, and xenstore watch events forwarded as bytes into a
// pipe by a thread of their own, so that one poll loop serves everything.
#pragma once

#include <string>
#include <vector>

#include "xenstored/unique_fd.hpp"

namespace tern::dom0::xenstored {

// Blocks SIGINT and SIGTERM for the process and returns a signalfd that becomes readable when
// one comes; SIGPIPE is ignored. Throws std::system_error when the kernel refuses.
UniqueFd stop_signal_fd();

// Watches each of `paths` with `token` through xenstored at `socket` and writes one byte to
// `wake` per event ('w'), then 'x' once the connection is lost (or could not be made). Runs
// until then: start it on a thread of its own.
void forward_watch_events(std::string socket, std::vector<std::string> paths, std::string token,
                          int wake);

}  // namespace tern::dom0::xenstored
