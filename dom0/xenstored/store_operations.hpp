// Defines the database requests (read, write, mkdir, rm, directory, get and set permissions)
// over a NodeView, with Xen's permission checks and the node quotas. Each successful change is
// appended to the caller's list of StoreChanges for the watches.
#pragma once

#include <string>
#include <vector>

#include "xenstored/node.hpp"
#include "xenstored/quotas.hpp"
#include "xenstored/store_change.hpp"
#include "xenstored/xs_error.hpp"

namespace tern::dom0::xenstored {

struct DirectoryListing {
    std::uint64_t generation = 0;
    std::vector<std::string> children;
};

class StoreOperations {
  public:
    StoreOperations(NodeView& view, const Caller& caller, const Quotas& quotas,
                    std::vector<StoreChange>& changes)
        : view_(view), caller_(caller), quotas_(quotas), changes_(changes) {}

    // Paths are absolute and already validated (see resolve_path).
    XsResult<std::string> read(const std::string& path);
    XsStatus write(const std::string& path, std::string_view value);
    XsStatus mkdir(const std::string& path);
    XsStatus remove(const std::string& path);
    XsResult<DirectoryListing> directory(const std::string& path);
    XsResult<PermissionList> get_permissions(const std::string& path);
    XsStatus set_permissions(const std::string& path, const PermissionList& permissions);

  private:
    // Creates `path` and its missing parents with `value` at `path` and empty values above.
    XsStatus create(const std::string& path, std::string_view value);
    void remove_subtree(const std::string& path);
    bool limited() const { return !caller_.privileged; }

    NodeView& view_;
    const Caller& caller_;
    const Quotas& quotas_;
    std::vector<StoreChange>& changes_;
};

}  // namespace tern::dom0::xenstored
