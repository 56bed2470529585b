// Defines start_storage: what xapid does with storage when it starts. Every PBD of this host
// whose directory is there is plugged and its SR scanned (so disks whose records were lost come
// back), and on first start a `local` file SR is made in <state dir>/storage, attached, and
// named the pool's default SR.
#pragma once

#include "api/call_context.hpp"

namespace tern::xapi {

void start_storage(ApiState& state);

// The directory of the local SR.
std::filesystem::path local_sr_dir(const ApiState& state);

}  // namespace tern::xapi
