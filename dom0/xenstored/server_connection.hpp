// Defines XenstoreServer::Connection, the server's state of one client: who it is, its
// transport, its unparsed input and unsent output, and its open transactions. Private to the
// server's sources.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "xenstored/xenstore_server.hpp"

namespace tern::dom0::xenstored {

struct XenstoreServer::Connection {
    ConnectionId id = 0;
    Caller caller;
    std::unique_ptr<Transport> transport;
    std::string input;
    std::string output;
    std::map<std::uint32_t, std::unique_ptr<Transaction>> transactions;
    bool closing = false;
};

}  // namespace tern::dom0::xenstored
