// Declares how a guest's network interfaces enter and leave xenstore, as libxl does it for a
// vif: the backend directory /local/domain/0/backend/vif/<domid>/<n> (owned by dom0, readable
// by the guest: frontend, frontend-id, online, state, handle, mac, bridge, script, type), where
// dom0 kernel's xen-netback finds it and makes the interface vif<domid>.<n> (tern-vif-hotplug
// puts it on its bridge and writes hotplug-status), and the frontend directory
// /local/domain/<domid>/device/vif/<n> (owned by the guest: backend, backend-id, state, handle,
// mac) for the guest's xen-netfront. Both in one transaction. Removing the backend directory
// before the domain goes makes netback release the guest's rings and delete the interface.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "dom0/builder/vif_spec.hpp"
#include "xenstored/xenstore_client.hpp"

namespace tern::dom0 {

std::string vif_backend_path(std::uint32_t domain, std::uint32_t devid);
std::string vif_backend_root(std::uint32_t domain);
// The name Linux's netback gives the backend interface: vif<domid>.<n>.
std::string vif_interface_name(std::uint32_t domain, std::uint32_t devid);

// Fills in default MAC addresses; throws std::runtime_error naming the refused request.
void add_vifs_to_xenstore(xenstored::XenstoreClient& store, std::uint32_t domain,
                          std::vector<VifSpec>& vifs);

// Removes the domain's vif backend directories and waits up to `timeout` for netback to delete
// their interfaces (seen in /sys/class/net); returns how many are still there.
std::size_t remove_vifs(xenstored::XenstoreClient& store, std::uint32_t domain,
                        std::chrono::milliseconds timeout);

}  // namespace tern::dom0
