// The choice of backend.
#include "backend/make_backend.hpp"

#include <stdexcept>

#include "backend/tern/dom0_tern_host.hpp"
#include "backend/tern/tern_backend.hpp"

namespace tern::xapi {

BackendChoice make_backend(const BackendOptions& options) {
    if (options.name == "sim") {
        auto sim = std::make_unique<SimBackend>(options.sim);
        SimBackend* raw = sim.get();
        return {std::move(sim), raw};
    }
    if (options.name == "tern")
        return {std::make_unique<TernBackend>(std::make_unique<Dom0TernHost>()), nullptr};
    throw std::invalid_argument("unknown backend '" + options.name + "' (known: sim, tern)");
}

}  // namespace tern::xapi
