// Defines DomainWatch, how the daemon in dom0 learns that domains shut down or died: it binds
// VIRQ_DOM_EXC and, on each, asks the hypervisor for its domain list (Tern's control ABI) and
// hands it to XenstoreServer::update_domains.
#pragma once

#include <memory>
#include <string>

#include "xenstored/event_loop.hpp"

namespace tern::dom0::xenstored {

// Starts following domains when dom0's devices are there; returns false with `error` set when
// they are there but unusable, false with `error` empty on a host without Xen.
bool start_domain_watch(XenstoreServer& server, EventLoop& loop, std::string& error);

}  // namespace tern::dom0::xenstored
