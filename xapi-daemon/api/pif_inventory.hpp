// Defines the host's network interfaces as PIF records: each real interface of the machine
// (read from /sys/class/net, loopback and virtual interfaces left out) gets a PIF and a network
// with a bridge named as xapi names them (eth0 -> xenbr0; otherwise xenbr-<device>).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace tern::xapi {

class Transaction;

struct NicInfo {
    std::string device;  // eth0, enp1s0
    std::string mac;
    std::int64_t mtu = 1500;
    bool up = false;
    friend bool operator==(const NicInfo&, const NicInfo&) = default;
};

// The physical interfaces under `sys_class_net` (those with a `device` link), by name.
std::vector<NicInfo> read_nics(const std::filesystem::path& sys_class_net = "/sys/class/net");

// The bridge xapi gives the network of a physical interface.
std::string bridge_of(const std::string& device);

// Creates the PIFs (and their networks) of new interfaces, refreshes the others and removes
// the PIFs of interfaces that are gone (their networks stay).
void ensure_pifs(Transaction& txn, const std::string& host, const std::vector<NicInfo>& nics);

}  // namespace tern::xapi
