// Defines make_api_service: xapid's API behind the transports' RequestHandler seam.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "api/call_context.hpp"
#include "rpc/request_handler.hpp"

namespace tern::xapi {

struct ApiConfig {
    std::filesystem::path state_dir;  // holds xapi.db (SQLite, WAL)
    std::string backend = "sim";
    std::chrono::seconds session_idle_timeout{24 * 3600};
    unsigned workers = 4;  // RPC worker threads
    Clock clock;           // empty: the system clock
};

// Opens (creating or migrating) state_dir/xapi.db. Throws std::runtime_error with a clear
// message when the database cannot be opened or is of a newer layout.
std::unique_ptr<rpc::RequestHandler> make_api_service(const ApiConfig& config);

}  // namespace tern::xapi
