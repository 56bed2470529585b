// Declares how a guest's disks enter and leave xenstore, as libxl does it for a vbd: the
// backend directory /local/domain/0/backend/vbd/<domid>/<devid> (owned by dom0, readable by
// the guest: frontend, frontend-id, online, state, params, format, mode, type, dev,
// device-type), and the frontend directory /local/domain/<domid>/device/vbd/<devid> (owned by
// the guest, readable by dom0: backend, backend-id, state, virtual-device, device-type), both
// written in one transaction so that the block backend never sees half a device. Tearing a
// device down asks the backend to close it (online 0, state Closing) and waits for it to say
// Closed, so that its grant maps are released and its image flushed before the domain goes.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "dom0/builder/disk_spec.hpp"
#include "xenstored/xenstore_client.hpp"

namespace tern::dom0 {

// The backend directory of one vbd, and of all of a domain's vbds.
std::string vbd_backend_path(std::uint32_t domain, std::uint32_t devid);
std::string vbd_backend_root(std::uint32_t domain);

// Throws std::runtime_error naming the request xenstored refused or the image that is missing.
void add_vbds_to_xenstore(xenstored::XenstoreClient& store, std::uint32_t domain,
                          const std::vector<DiskSpec>& disks);

// Asks the backend to close every vbd of `domain` and waits up to `timeout` for each to be
// Closed; returns how many did not close in time (0 when there were none).
std::size_t close_vbds(xenstored::XenstoreClient& store, std::uint32_t domain,
                       std::chrono::milliseconds timeout);
// Removes the domain's backend directories (the frontend ones go with its home directory).
void remove_vbds(xenstored::XenstoreClient& store, std::uint32_t domain);

}  // namespace tern::dom0
