// Defines TransportLimits: how much a client may send and how long it may take.
#pragma once

#include <chrono>
#include <cstddef>

namespace tern::xapi {

struct TransportLimits {
    std::size_t body_limit = 16 * 1024 * 1024;  // bytes; more is answered with 413
    std::size_t header_limit = 64 * 1024;       // bytes of request line and headers
    std::chrono::milliseconds handshake_timeout{10'000};
    std::chrono::milliseconds request_timeout{30'000};  // to read one whole request
    std::chrono::milliseconds idle_timeout{120'000};    // between requests on a keep-alive
    std::size_t max_connections = 4096;                 // beyond: refused at once
};

}  // namespace tern::xapi
