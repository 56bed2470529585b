// VmBuilder: turns a VmConfig into XenAPI objects (VM.create, then per disk VDI.create or an
// existing VDI, VBD.create, then per interface VIF.create), undoing everything it made when a
// step fails, as xm did.
#pragma once

#include <string>
#include <vector>

#include "api/xen_api.hpp"
#include "config/vm_config.hpp"

namespace tern::cli {

// The size of a new disk whose config gives none.
inline constexpr std::int64_t kDefaultDiskSize = 1LL << 30;

// Creates the VM and its devices and returns the VM's ref.
std::string build_vm(XenApi& api, const VmConfig& config, bool transient);

// The SR new disks go to: the one named (name or uuid), else the first of type "local", else
// the one labelled "Local storage", else the first.
SrRecord default_sr(XenApi& api, const std::string& wanted = "");

// The network a vif's bridge names (name_label or bridge), else the first network.
NetworkRecord network_for(XenApi& api, const std::string& bridge);

// Removes a VM with its VBDs, VIFs and the VDIs only it used.
void remove_vm(XenApi& api, const VmRecord& vm);

}  // namespace tern::cli
