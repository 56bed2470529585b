// Defines ConsolePty, the pseudo-terminal a guest's console is attached through: the daemon
// keeps the master (non-blocking) and also holds the slave open in raw mode, so that a person
// attaching to the slave's path (tern-ctl console) and detaching again never hangs it up.
// What the guest writes waits in a bounded buffer while nobody reads; past the bound the oldest
// bytes go (the log file has them all), so a slow reader never holds up the guest or the daemon.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "xenstored/unique_fd.hpp"

namespace tern::dom0::consoled {

class ConsolePty {
  public:
    static constexpr std::size_t kDefaultPendingLimit = 64 * 1024;

    // Opens a new pty pair; throws std::system_error when it cannot.
    explicit ConsolePty(std::size_t pending_limit = kDefaultPendingLimit);

    // The slave's path (/dev/pts/N), what a client opens.
    const std::string& path() const { return path_; }
    int master_fd() const { return master_.get(); }

    // Queues the guest's output and writes what the pty takes now.
    void write(std::string_view bytes);
    // Writes more of the queue (when the master became writable).
    void flush();
    bool has_pending() const { return !pending_.empty(); }
    // Bytes dropped so far because the queue was full.
    std::size_t dropped() const { return dropped_; }

    // What was typed on the pty since the last call (nothing if none).
    std::string read_input(std::size_t max);

  private:
    xenstored::UniqueFd master_;
    xenstored::UniqueFd slave_;
    std::string path_;
    std::string pending_;
    std::size_t pending_limit_;
    std::size_t dropped_ = 0;
};

}  // namespace tern::dom0::consoled
