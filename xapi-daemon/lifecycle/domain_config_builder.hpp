// Defines domain_config_of: what the backend builds a VM's domain from, read from the VM's
// record, its VBDs (and their VDIs) and its VIFs (and their networks).
#pragma once

#include <string>

#include "backend/backend.hpp"

namespace tern::xapi {

class ObjectStore;

// Reads the store (never call it inside a transaction).
DomainConfig domain_config_of(const ObjectStore& store, const std::string& vm);

}  // namespace tern::xapi
