// Defines WatchRegistry, every connection's watches, and how a StoreChange turns into
// WATCH_EVENTs (docs/misc/xenstore.txt, "Watches").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xenstored/store_change.hpp"
#include "xenstored/xs_error.hpp"

namespace tern::dom0::xenstored {

using ConnectionId = std::uint64_t;

struct Watch {
    ConnectionId connection = 0;
    DomainId domid;
    // Absolute path or special name that is watched.
    std::string path;
    std::string token;
    // For a watch given as a relative path, the prefix ("/local/domain/3/") events lose again.
    std::string relative_base;
};

// One WATCH_EVENT to send.
struct WatchEvent {
    ConnectionId connection = 0;
    std::string path;
    std::string token;
};

class WatchRegistry {
  public:
    // Adds a watch; EEXIST if the connection already has one with this path and token.
    XsStatus add(Watch watch);
    // Removes a watch; ENOENT if there is none.
    XsStatus remove(ConnectionId connection, const std::string& path, const std::string& token);
    // Removes every watch of a connection.
    void remove_all(ConnectionId connection);
    std::size_t count_for(DomainId domid) const;
    std::size_t count_for_connection(ConnectionId connection) const;

    // The events `change` triggers, before permission filtering: a watch fires when the changed
    // path is at or below it, or, for a recursive removal, when it is below the removed path.
    std::vector<std::pair<WatchEvent, const Watch*>> match(const StoreChange& change) const;

    // The event a new watch gets straight away.
    static WatchEvent initial_event(const Watch& watch);

  private:
    std::vector<Watch> watches_;
};

}  // namespace tern::dom0::xenstored
