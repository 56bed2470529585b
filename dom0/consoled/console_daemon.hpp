// Defines ConsoleDaemon, tern-consoled's loop (dom0's xenconsoled): it follows domains (a scan
// at start, then one after every @introduceDomain / @releaseDomain watch event from
// xenstored), serves each guest's console (DomainConsole) and records its pty's path in
// /local/domain/<id>/console/tty, and forgets a domain once the hypervisor no longer lists it.
// One poll loop serves every console, so no guest or reader can hold up another.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "dom0/consoled/domain_console.hpp"
#include "dom0/control/control_client.hpp"
#include "dom0/control/privcmd.hpp"
#include "xenstored/unique_fd.hpp"
#include "xenstored/xenstore_client.hpp"

namespace tern::dom0::consoled {

struct DaemonOptions {
    std::string log_dir = "/var/log/tern/console";
    std::string xenstore_socket;
    bool verbose = false;
};

class ConsoleDaemon {
  public:
    // Throws std::runtime_error when xenstored cannot be reached or the log directory made.
    ConsoleDaemon(Privcmd& privcmd, ControlClient& control, DaemonOptions options);
    ~ConsoleDaemon();
    ConsoleDaemon(const ConsoleDaemon&) = delete;
    ConsoleDaemon& operator=(const ConsoleDaemon&) = delete;

    // Serves until SIGINT or SIGTERM (0) or until xenstored goes away (1).
    int run();

  private:
    // Attaches to the consoles of new domains and forgets those that are gone.
    void rescan();
    void forget(std::uint32_t domain);
    void log(const std::string& line) const;
    std::string log_path(std::uint32_t domain) const;

    Privcmd& privcmd_;
    ControlClient& control_;
    DaemonOptions options_;
    xenstored::XenstoreClient store_;
    // Written a byte by the watch thread for each watch event ('x' when xenstored went away).
    xenstored::UniqueFd wake_read_;
    xenstored::UniqueFd wake_write_;
    std::map<std::uint32_t, std::unique_ptr<DomainConsole>> consoles_;
};

}  // namespace tern::dom0::consoled
