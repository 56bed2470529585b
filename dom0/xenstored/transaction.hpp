// Defines Transaction, a copy-on-write view of the store. It remembers the generation of every
// node it read or wrote; commit fails with EAGAIN if any of them changed meanwhile.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "xenstored/node_store.hpp"
#include "xenstored/store_change.hpp"
#include "xenstored/xs_error.hpp"

namespace tern::dom0::xenstored {

class Transaction : public NodeView {
  public:
    explicit Transaction(NodeStore& base) : base_(base) {}

    const Node* find(const std::string& path) override;
    void put(const std::string& path, Node node) override;
    void erase(const std::string& path) override;
    std::size_t owned_nodes(DomainId domid) const override;

    // Changes made in the transaction, reported to watches once it commits.
    std::vector<StoreChange>& changes() { return changes_; }

    // Applies the transaction to the store, or fails with EAGAIN (changing nothing) if a node
    // it read or wrote changed since.
    XsStatus commit();

  private:
    void observe(const std::string& path);

    NodeStore& base_;
    // Nodes written (a value) or deleted (nullopt) in the transaction.
    std::unordered_map<std::string, std::optional<Node>> overlay_;
    // Generation of each node when the transaction first saw it (0: it did not exist).
    std::unordered_map<std::string, std::uint64_t> observed_;
    std::map<std::uint32_t, long> owned_delta_;
    std::vector<StoreChange> changes_;
};

}  // namespace tern::dom0::xenstored
