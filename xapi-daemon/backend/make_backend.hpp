// Defines make_backend: the backend that --backend names, built from its options.
#pragma once

#include <memory>
#include <string>

#include "backend/backend.hpp"
#include "backend/sim/sim_backend.hpp"

namespace tern::xapi {

struct BackendOptions {
    std::string name = "sim";
    SimConfig sim;  // for --backend sim
};

struct BackendChoice {
    std::unique_ptr<Backend> backend;
    // The simulator's own controls (guest exits, injected failures) when the backend is `sim`,
    // for tests and the debug API; null otherwise.
    SimBackend* sim = nullptr;
};

// Throws std::invalid_argument for an unknown backend name.
BackendChoice make_backend(const BackendOptions& options);

}  // namespace tern::xapi
