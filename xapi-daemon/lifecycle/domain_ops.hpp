// Defines the steps that several life-cycle paths share (client calls, guest exits): booting a
// VM's domain, where its suspend image lives, refreshing the host's metrics.
#pragma once

#include <filesystem>
#include <string>

#include "backend/backend.hpp"
#include "rpc/value.hpp"

namespace tern::xapi {

struct ApiState;

// Builds the VM's domain and, unless `paused`, unpauses it. A domain whose unpause failed is
// destroyed again. The build takes the control's range [0, 0.9].
Outcome<DomainInfo> boot_domain(ApiState& state, const std::string& vm, bool paused,
                                const OperationControl& op);

// Where the suspend image of the VM with this uuid is kept.
std::filesystem::path suspend_image_of(const ApiState& state, const std::string& uuid);
// Where the core dump of the VM with this uuid goes.
std::filesystem::path core_dump_of(const ApiState& state, const std::string& uuid);

// Writes the backend's host figures into host_metrics.
void refresh_host_metrics(ApiState& state);

rpc::DateTime now_of(const ApiState& state);

}  // namespace tern::xapi
