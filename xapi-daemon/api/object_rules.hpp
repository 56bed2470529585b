// Defines the rules the generic create and destroy follow per class: a VM's memory and vCPU
// constraints and its metrics object, which VMs may be destroyed, a VIF's MAC address.
#pragma once

#include "api/dispatcher.hpp"

namespace tern::xapi {

void install_object_rules(Dispatcher& dispatcher);

// A random MAC address in Xen's range 00:16:3e:xx:xx:xx.
std::string make_xen_mac();

}  // namespace tern::xapi
