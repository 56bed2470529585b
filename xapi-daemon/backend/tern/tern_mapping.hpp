// Declares the tern backend's translations between xapid's values and Tern's: a DomainConfig
// to the builder's GuestConfig, a VM uuid to a domain handle and back, a domain's state and
// shutdown reason to DomainState and GuestExit, and the XenAPI errors the backend answers
// with. Pure functions, unit-tested on the host.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "backend/backend.hpp"
#include "dom0/builder/guest_config.hpp"
#include "public/tern_control.h"

namespace tern::xapi {

using DomainHandle = std::array<std::uint8_t, 16>;

// "0f1e2d3c-...": the 16 bytes; all zero for an empty or malformed uuid.
DomainHandle handle_of(std::string_view uuid);
// Lower-case 8-4-4-4-12; empty for the all-zero handle (a domain no toolstack named).
std::string uuid_of(const DomainHandle& handle);

// A VM's disk as tern-blkback serves it: the image (qcow2 when its name ends in .qcow2, raw
// otherwise), the guest's device (xvda..xvdp; a userdevice number 0..15 is xvda..xvdp) and
// its mode. CD drives are refused (NOT_IMPLEMENTED), bad devices with VALUE_NOT_SUPPORTED.
Outcome<dom0::DiskSpec> disk_spec_of(const DiskConfig& disk);

// A VM's NIC as the builder's `vif` entry: its MAC (empty: the builder's default, 00:16:3e plus
// the domain id and index) and the bridge of its network (tern-vif-hotplug in dom0 adds the
// backend interface to it), with the guest's device number `devid`. A bad MAC or bridge name is
// VALUE_NOT_SUPPORTED. The MTU is netback's default (1500).
Outcome<dom0::VifSpec> vif_spec_of(const NicConfig& nic, std::uint32_t devid);

// What the builder makes of a domain config: memory in MiB (the larger of the ceiling and the
// target, rounded up), every vCPU up to vcpus_max (the ones not online are taken offline
// through xenstore), kernel, ramdisk, command line, name, handle, disks (empty CD drives left
// out) and NICs (in the order of their device numbers, which become devids 0, 1, ...). Refuses
// a missing kernel, no memory, more vCPUs than the hypervisor allows.
Outcome<dom0::GuestConfig> guest_config_of(const DomainConfig& config);

DomainState state_of(const tern_domain_info& info);
// Why a shut-down domain stopped, as xapid's actions_after_* see it.
GuestExit exit_of(std::uint32_t shutdown_reason);

// The answer to an operation the hypervisor cannot do yet: NOT_IMPLEMENTED naming it and why.
BackendError not_supported(std::string_view operation, std::string_view why);
BackendError no_such_domain(DomainId domain);

}  // namespace tern::xapi
