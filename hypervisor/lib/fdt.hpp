// Defines Fdt: a reader of flattened device trees (the Devicetree Specification v0.4, ch. 5)
// over a blob in memory, with every offset and length checked against the blob's size.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "tern/status.hpp"

namespace tern::lib {

// Reads a big-endian 32-bit cell.
std::uint32_t be32(const std::uint8_t* p);

class Fdt {
  public:
    // A node: the offset of its FDT_BEGIN_NODE token in the structure block.
    struct Node {
        std::uint32_t offset = 0;
        friend bool operator==(Node, Node) = default;
    };

    // Checks the header (magic, version, block bounds) of the blob at `blob`, of at most
    // `max_size` bytes.
    static Result<Fdt> open(const void* blob, std::size_t max_size);

    std::size_t total_size() const { return size_; }
    Node root() const { return Node{0}; }

    std::string_view name(Node node) const;
    std::optional<std::span<const std::uint8_t>> property(Node node, std::string_view name) const;
    // A string property (the first string of a list).
    std::optional<std::string_view> string_property(Node node, std::string_view name) const;
    std::optional<std::uint32_t> u32_property(Node node, std::string_view name) const;
    bool is_compatible(Node node, std::string_view compatible) const;

    // The direct children of `node`, in order: `visit` returns false to stop.
    template <class Visit>
    void for_each_child(Node node, Visit visit) const {
        std::uint32_t pos = first_child_offset(node);
        while (pos != kNone) {
            if (!visit(Node{pos}))
                return;
            pos = next_sibling_offset(pos);
        }
    }
    // Every property of `node`, in order: `visit(name, value)` returns false to stop.
    template <class Visit>
    void for_each_property(Node node, Visit visit) const {
        std::uint32_t pos = after_name(node.offset);
        std::string_view name;
        std::span<const std::uint8_t> value;
        while (next_property(pos, name, value)) {
            if (!visit(name, value))
                return;
        }
    }
    // A child by its full name ("memory@40000000") or its name before the '@' ("memory").
    std::optional<Node> child(Node node, std::string_view name) const;
    // A node by absolute path ("/chosen", "/cpus/cpu@0").
    std::optional<Node> find_path(std::string_view path) const;

    // The `reg` entries of `node`, decoded with the #address-cells and #size-cells of
    // `parent`; `index` picks the entry.
    struct Range {
        std::uint64_t address = 0;
        std::uint64_t size = 0;
    };
    std::optional<Range> reg(Node parent, Node node, std::size_t index) const;

  private:
    static constexpr std::uint32_t kNone = 0xffffffff;
    Fdt(const std::uint8_t* base, std::size_t size, std::uint32_t structs,
        std::uint32_t structs_size, std::uint32_t strings, std::uint32_t strings_size)
        : base_(base),
          size_(size),
          structs_(structs),
          structs_size_(structs_size),
          strings_(strings),
          strings_size_(strings_size) {}

    std::optional<std::uint32_t> token(std::uint32_t pos) const;
    // Offset just after the node's name; kNone when malformed.
    std::uint32_t after_name(std::uint32_t pos) const;
    std::uint32_t first_child_offset(Node node) const;
    // Reads the property at `pos` (skipping NOPs) and moves `pos` past it; false at the
    // node's first child or end, or on a malformed property.
    bool next_property(std::uint32_t& pos, std::string_view& name,
                       std::span<const std::uint8_t>& value) const;
    // Skips a whole node (with its children) starting at `pos`; the offset after its END.
    std::uint32_t skip_node(std::uint32_t pos) const;
    std::uint32_t next_sibling_offset(std::uint32_t pos) const;

    const std::uint8_t* base_ = nullptr;
    std::size_t size_ = 0;
    std::uint32_t structs_ = 0;
    std::uint32_t structs_size_ = 0;
    std::uint32_t strings_ = 0;
    std::uint32_t strings_size_ = 0;

  public:
    Fdt() = default;
};

}  // namespace tern::lib
