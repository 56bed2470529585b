// Defines Node, one entry of the store, and NodeView, the interface the store operations work
// against: the live store or a transaction's copy-on-write view of it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "xenstored/permissions.hpp"

namespace tern::dom0::xenstored {

struct Node {
    std::string value;
    PermissionList permissions = PermissionList::owned_by(kDom0);
    // Leaf names of the children, in creation order.
    std::vector<std::string> children;
    // Bumped on every change of the node (value, permissions or children); what DIRECTORY_PART
    // returns and what a transaction compares at commit.
    std::uint64_t generation = 0;
};

class NodeView {
  public:
    virtual ~NodeView() = default;
    // The node at an absolute path, or nullptr. The pointer is valid until the next put or erase.
    virtual const Node* find(const std::string& path) = 0;
    // Creates or replaces the node at `path`.
    virtual void put(const std::string& path, Node node) = 0;
    // Deletes the node at `path` (not its children: callers erase those themselves).
    virtual void erase(const std::string& path) = 0;
    // How many nodes `domid` owns, for the node quota.
    virtual std::size_t owned_nodes(DomainId domid) const = 0;
};

}  // namespace tern::dom0::xenstored
