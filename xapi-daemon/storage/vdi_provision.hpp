// Defines provision_disks: the disks of VM.provision. xapi's templates describe them in
// other_config["disks"] as
//   <provision><disk device="0" size="8589934592" sr="<uuid>" bootable="true" type="system"/>
//   </provision>
// Each <disk> becomes a new VDI (in the SR named by uuid, else the pool's default SR) and a
// VBD joining it to the VM; the key is then removed, so provisioning happens once.
#pragma once

#include <string>

#include "api/call_context.hpp"

namespace tern::xapi {

void provision_disks(CallContext& ctx, const std::string& vm, const std::string& disks_xml);

}  // namespace tern::xapi
