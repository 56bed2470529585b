// The live xenstore database.
#include "xenstored/node_store.hpp"

namespace tern::dom0::xenstored {

NodeStore::NodeStore() {
    put("/", Node{});
}

const Node* NodeStore::find(const std::string& path) {
    const auto it = nodes_.find(path);
    return it == nodes_.end() ? nullptr : &it->second;
}

void NodeStore::put(const std::string& path, Node node) {
    node.generation = next_generation_++;
    count_owner(node, +1);
    auto [it, inserted] = nodes_.try_emplace(path, std::move(node));
    if (!inserted) {
        // try_emplace leaves `node` untouched when the path exists.
        count_owner(it->second, -1);
        it->second = std::move(node);
    }
}

void NodeStore::erase(const std::string& path) {
    const auto it = nodes_.find(path);
    if (it != nodes_.end()) {
        count_owner(it->second, -1);
        nodes_.erase(it);
    }
}

std::size_t NodeStore::owned_nodes(DomainId domid) const {
    const auto it = owned_.find(domid.value);
    return it == owned_.end() ? 0 : it->second;
}

std::uint64_t NodeStore::generation_of(const std::string& path) const {
    const auto it = nodes_.find(path);
    return it == nodes_.end() ? 0 : it->second.generation;
}

void NodeStore::count_owner(const Node& node, int delta) {
    auto& count = owned_[node.permissions.owner().value];
    count = delta > 0 ? count + 1 : count - 1;
}

}  // namespace tern::dom0::xenstored
