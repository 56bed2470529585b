// Declares how a built domain enters xenstore, as libxl's builder does it: its directory
// /local/domain/<id> (owned by the domain) with name, domid, memory/target, the console and
// store ring pages and ports, empty device/ control/ data/ directories, and then INTRODUCE
// so that xenstored maps its ring and serves it; and how it leaves (RELEASE, then the
// directory goes).
#pragma once

#include <cstdint>
#include <string>

#include "dom0/builder/domain_builder.hpp"
#include "dom0/builder/guest_config.hpp"
#include "xenstored/xenstore_client.hpp"

namespace tern::dom0 {

// Throws std::runtime_error naming the request xenstored refused.
void introduce_to_xenstore(xenstored::XenstoreClient& store, const BuiltDomain& built,
                           const GuestConfig& config);
void release_from_xenstore(xenstored::XenstoreClient& store, std::uint32_t domain);

}  // namespace tern::dom0
