// Defines VifSpec and parse_vif_spec: one entry of a guest config's `vif` list, in xl's form
// of comma-separated KEY=VALUE settings, e.g. "mac=00:16:3e:01:02:03,bridge=xenbr0":
//   mac     the guest's MAC address (six hex pairs; default: 00:16:3e plus the domain id and
//           the NIC's index, filled in by the builder)
//   bridge  the dom0 bridge tern-vif-hotplug adds the backend interface to (default xenbr0)
// The NIC's handle (its devid, the n of vif<domid>.<n>) is its index in the list.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tern::dom0 {

struct VifSpec {
    std::string mac;  // empty: the builder's default
    std::string bridge = "xenbr0";
    std::uint32_t devid = 0;
};

// Throws std::invalid_argument saying what is wrong with `text`.
VifSpec parse_vif_spec(std::string_view text, std::uint32_t devid);

// The MAC address a NIC without one gets: 00:16:3e (Xen's prefix), then the domain id's low
// 16 bits and the NIC's index.
std::string default_vif_mac(std::uint32_t domain, std::uint32_t devid);

}  // namespace tern::dom0
