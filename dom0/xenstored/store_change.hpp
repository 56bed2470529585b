// Defines StoreChange, one modification of the store that watches may be told about.
#pragma once

#include <string>

#include "xenstored/permissions.hpp"

namespace tern::dom0::xenstored {

struct StoreChange {
    // The absolute path changed, or a special watch name ("@releaseDomain").
    std::string path;
    // True when the node and all its children were removed: watches below it fire too.
    bool recursive = false;
    // The node's permissions, which decide who may see the event.
    PermissionList permissions = PermissionList::owned_by(kDom0);
};

}  // namespace tern::dom0::xenstored
