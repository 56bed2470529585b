// Declares add_xenbus_device: how the builder announces a PV device (a vbd, a vif) to its
// backend and frontend — the backend directory under dom0's /local/domain/0/backend/<type>/
// and the frontend one under the guest's device/<type>/, written in one xenstore transaction
// (retried on EAGAIN), each readable by the other side and owned by its own.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "xenstored/xenstore_client.hpp"

namespace tern::dom0 {

// Xen's XenbusState values the builder writes.
inline constexpr const char* kXenbusInitialising = "1";

using XenstoreEntries = std::vector<std::pair<std::string, std::string>>;

// Writes `backend` (owned by dom0, readable by `domain`) and `frontend` (owned by `domain`,
// readable by dom0) with their entries in one transaction. Throws std::runtime_error naming
// `what` when xenstored refuses.
void add_xenbus_device(xenstored::XenstoreClient& store, std::uint32_t domain,
                       const std::string& backend, const XenstoreEntries& backend_entries,
                       const std::string& frontend, const XenstoreEntries& frontend_entries,
                       const std::string& what);

}  // namespace tern::dom0
