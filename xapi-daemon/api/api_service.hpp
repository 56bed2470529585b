// Defines make_api_service: xapid's API behind the transports' RequestHandler seam.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "api/call_context.hpp"
#include "backend/sim/sim_backend.hpp"
#include "rpc/request_handler.hpp"

namespace tern::xapi {

struct ApiConfig {
    std::filesystem::path state_dir;  // holds xapi.db (SQLite, WAL), suspend images, cores
    std::string backend = "sim";
    SimConfig sim;  // the simulated host, for --backend sim
    std::chrono::seconds session_idle_timeout{24 * 3600};
    unsigned workers = 4;             // RPC worker threads
    unsigned task_workers = 8;        // threads that run Async tasks and reactions to guest exits
    std::size_t event_queue = 10000;  // events kept for event.next/event.from readers
    std::chrono::milliseconds metrics_interval{std::chrono::seconds(5)};
    std::chrono::seconds task_retention{std::chrono::hours(1)};  // finished tasks kept so long
    std::chrono::milliseconds shutdown_timeout{std::chrono::minutes(2)};  // clean shutdowns
    Clock clock;                                                          // empty: the system clock
};

// Opens (creating or migrating) state_dir/xapi.db and reconciles it with what the backend
// runs. Throws std::runtime_error with a clear message when the database cannot be opened or
// is of a newer layout, or the backend is unknown.
std::unique_ptr<rpc::RequestHandler> make_api_service(const ApiConfig& config);

}  // namespace tern::xapi
