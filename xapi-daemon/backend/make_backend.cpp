// The choice of backend.
#include "backend/make_backend.hpp"

#include <stdexcept>

namespace tern::xapi {

BackendChoice make_backend(const BackendOptions& options) {
    if (options.name == "sim") {
        auto sim = std::make_unique<SimBackend>(options.sim);
        SimBackend* raw = sim.get();
        return {std::move(sim), raw};
    }
    throw std::invalid_argument("unknown backend '" + options.name + "' (known: sim)");
}

}  // namespace tern::xapi
