// The copy-on-write transaction view and its conflict check.
#include "xenstored/transaction.hpp"

namespace tern::dom0::xenstored {

void Transaction::observe(const std::string& path) {
    observed_.try_emplace(path, base_.generation_of(path));
}

const Node* Transaction::find(const std::string& path) {
    const auto it = overlay_.find(path);
    if (it != overlay_.end()) {
        return it->second ? &*it->second : nullptr;
    }
    observe(path);
    return base_.find(path);
}

void Transaction::put(const std::string& path, Node node) {
    if (const Node* old = find(path)) {
        --owned_delta_[old->permissions.owner().value];
    }
    ++owned_delta_[node.permissions.owner().value];
    overlay_[path] = std::move(node);
}

void Transaction::erase(const std::string& path) {
    if (const Node* old = find(path)) {
        --owned_delta_[old->permissions.owner().value];
    }
    overlay_[path] = std::nullopt;
}

std::size_t Transaction::owned_nodes(DomainId domid) const {
    const auto it = owned_delta_.find(domid.value);
    const long delta = it == owned_delta_.end() ? 0 : it->second;
    const long total = static_cast<long>(base_.owned_nodes(domid)) + delta;
    return total < 0 ? 0 : static_cast<std::size_t>(total);
}

XsStatus Transaction::commit() {
    for (const auto& [path, generation] : observed_) {
        if (base_.generation_of(path) != generation) {
            return XsError::kEAGAIN;
        }
    }
    for (auto& [path, node] : overlay_) {
        if (node) {
            base_.put(path, std::move(*node));
        } else {
            base_.erase(path);
        }
    }
    overlay_.clear();
    return ok_status();
}

}  // namespace tern::dom0::xenstored
