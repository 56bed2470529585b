// Defines NodeStore, the live xenstore database: every node by absolute path, with a
// generation counter and per-owner node counts.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>

#include "xenstored/node.hpp"

namespace tern::dom0::xenstored {

class NodeStore : public NodeView {
  public:
    // A store holding only the root, owned by dom0 with no access for others.
    NodeStore();

    const Node* find(const std::string& path) override;
    void put(const std::string& path, Node node) override;
    void erase(const std::string& path) override;
    std::size_t owned_nodes(DomainId domid) const override;

    // The generation of the node at `path`, or 0 if it does not exist.
    std::uint64_t generation_of(const std::string& path) const;
    std::size_t size() const { return nodes_.size(); }

  private:
    void count_owner(const Node& node, int delta);

    std::unordered_map<std::string, Node> nodes_;
    std::map<std::uint32_t, std::size_t> owned_;
    std::uint64_t next_generation_ = 1;
};

}  // namespace tern::dom0::xenstored
