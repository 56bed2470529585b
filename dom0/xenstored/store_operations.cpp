// The database requests with their permission and quota checks.
#include "xenstored/store_operations.hpp"

#include <algorithm>

#include "xenstored/path.hpp"

namespace tern::dom0::xenstored {

XsResult<std::string> StoreOperations::read(const std::string& path) {
    const Node* node = view_.find(path);
    if (node == nullptr) {
        return XsError::kENOENT;
    }
    if (!allows_read(node->permissions.access_for(caller_))) {
        return XsError::kEACCES;
    }
    return node->value;
}

XsStatus StoreOperations::write(const std::string& path, std::string_view value) {
    if (limited() && value.size() > quotas_.entry_size) {
        return XsError::kENOSPC;
    }
    const Node* existing = view_.find(path);
    if (existing == nullptr) {
        return create(path, value);
    }
    if (!allows_write(existing->permissions.access_for(caller_))) {
        return XsError::kEACCES;
    }
    Node updated = *existing;
    updated.value = std::string(value);
    changes_.push_back(StoreChange{path, false, updated.permissions});
    view_.put(path, std::move(updated));
    return ok_status();
}

XsStatus StoreOperations::mkdir(const std::string& path) {
    if (view_.find(path) != nullptr) {
        return ok_status();
    }
    return create(path, "");
}

XsStatus StoreOperations::create(const std::string& path, std::string_view value) {
    // Walk up to the nearest existing ancestor; the caller needs write access there.
    std::vector<std::string> missing{path};
    std::string ancestor = parent_path(path);
    while (view_.find(ancestor) == nullptr) {
        missing.push_back(ancestor);
        ancestor = parent_path(ancestor);
    }
    const Node* top = view_.find(ancestor);
    if (!allows_write(top->permissions.access_for(caller_))) {
        return XsError::kEACCES;
    }
    if (limited() && view_.owned_nodes(caller_.domid) + missing.size() > quotas_.nodes) {
        return XsError::kENOSPC;
    }
    // Children inherit their parent's permissions; an unprivileged creator owns what it creates.
    PermissionList permissions = top->permissions;
    if (limited()) {
        permissions.set_owner(caller_.domid);
    }
    std::string parent = ancestor;
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        Node parent_node = *view_.find(parent);
        parent_node.children.emplace_back(leaf_name(*it));
        view_.put(parent, std::move(parent_node));
        Node node;
        node.permissions = permissions;
        if (*it == path) {
            node.value = std::string(value);
        }
        view_.put(*it, std::move(node));
        parent = *it;
    }
    changes_.push_back(StoreChange{path, false, permissions});
    return ok_status();
}

XsStatus StoreOperations::remove(const std::string& path) {
    if (path == "/") {
        return XsError::kEINVAL;
    }
    const Node* node = view_.find(path);
    const std::string parent = parent_path(path);
    if (node == nullptr) {
        return view_.find(parent) == nullptr ? XsStatus(XsError::kENOENT) : ok_status();
    }
    if (!allows_write(node->permissions.access_for(caller_))) {
        return XsError::kEACCES;
    }
    changes_.push_back(StoreChange{path, true, node->permissions});
    remove_subtree(path);
    Node parent_node = *view_.find(parent);
    std::erase(parent_node.children, std::string(leaf_name(path)));
    view_.put(parent, std::move(parent_node));
    return ok_status();
}

void StoreOperations::remove_subtree(const std::string& path) {
    const std::vector<std::string> children = view_.find(path)->children;
    for (const auto& child : children) {
        remove_subtree(child_path(path, child));
    }
    view_.erase(path);
}

XsResult<DirectoryListing> StoreOperations::directory(const std::string& path) {
    const Node* node = view_.find(path);
    if (node == nullptr) {
        return XsError::kENOENT;
    }
    if (!allows_read(node->permissions.access_for(caller_))) {
        return XsError::kEACCES;
    }
    return DirectoryListing{node->generation, node->children};
}

XsResult<PermissionList> StoreOperations::get_permissions(const std::string& path) {
    const Node* node = view_.find(path);
    if (node == nullptr) {
        return XsError::kENOENT;
    }
    if (!allows_read(node->permissions.access_for(caller_))) {
        return XsError::kEACCES;
    }
    return node->permissions;
}

XsStatus StoreOperations::set_permissions(const std::string& path,
                                          const PermissionList& permissions) {
    const Node* node = view_.find(path);
    if (node == nullptr) {
        return XsError::kENOENT;
    }
    if (!node->permissions.is_owner(caller_)) {
        return XsError::kEACCES;
    }
    if (limited() && permissions.size() > quotas_.permissions) {
        return XsError::kENOSPC;
    }
    if (limited() && permissions.owner() != node->permissions.owner() &&
        view_.owned_nodes(permissions.owner()) + 1 > quotas_.nodes) {
        return XsError::kENOSPC;
    }
    Node updated = *node;
    updated.permissions = permissions;
    changes_.push_back(StoreChange{path, false, permissions});
    view_.put(path, std::move(updated));
    return ok_status();
}

}  // namespace tern::dom0::xenstored
