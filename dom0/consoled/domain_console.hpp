// Defines DomainConsole, one guest's console as the daemon serves it: its console page and
// event channel (ConsolePage and xenstored's EventChannel, so that tests can hand in plain
// memory), its log file and its pseudo-terminal. service() makes both copies and notifies the
// guest; the daemon calls it when the guest signals, and the pty hooks when a person types or
// the pty can take more.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "dom0/consoled/console_pty.hpp"
#include "dom0/consoled/console_ring.hpp"
#include "xenstored/ring_transport.hpp"
#include "xenstored/unique_fd.hpp"

namespace tern::dom0::consoled {

// A guest's console page, however it is mapped; unmapped when it goes.
class ConsolePage {
  public:
    virtual ~ConsolePage() = default;
    virtual ConsoleInterface& ring() = 0;
};

// Where DomainConsole reports what went wrong (a line without the domain's id).
using ConsoleLogger = std::function<void(const std::string&)>;

class DomainConsole {
  public:
    // Opens (appending, creating) `log_path` and a new pty; throws std::system_error if either
    // cannot be had.
    DomainConsole(std::uint32_t domain, std::unique_ptr<ConsolePage> page,
                  std::unique_ptr<xenstored::EventChannel> channel, const std::string& log_path,
                  ConsoleLogger logger);

    std::uint32_t domain() const { return domain_; }
    const std::string& pty_path() const { return pty_.path(); }
    int event_fd() const { return channel_->fd(); }
    int pty_fd() const { return pty_.master_fd(); }
    // Whether the daemon should wait for the pty to take more output / to have input.
    bool wants_pty_writable() const { return pty_.has_pending(); }
    bool wants_pty_input() const { return pending_input_.empty(); }

    // The guest signalled: acknowledge, then service().
    void on_event();
    // Copies the guest's output to the log and the pty, typed input into the guest's ring,
    // and notifies the guest if either moved.
    void service();
    // The pty has input: read what the in ring will take (the rest waits for the guest).
    void on_pty_readable();
    void on_pty_writable() { pty_.flush(); }

  private:
    void write_log(const std::string& bytes);

    std::uint32_t domain_;
    std::unique_ptr<ConsolePage> page_;
    std::unique_ptr<xenstored::EventChannel> channel_;
    xenstored::UniqueFd log_;
    ConsolePty pty_;
    std::string pending_input_;
    ConsoleLogger logger_;
};

}  // namespace tern::dom0::consoled
