// The device-tree reader. Every read is bounds-checked against the blob; a malformed tree
// gives "not found" answers or a failed open, never a read outside the blob.
#include "lib/fdt.hpp"

#include "lib/fdt_format.hpp"

namespace tern::lib {
using namespace fdt_format;

std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

Result<Fdt> Fdt::open(const void* blob, std::size_t max_size) {
    if (blob == nullptr || max_size < kHeaderSize)
        return Status::invalid_argument;
    const auto* b = static_cast<const std::uint8_t*>(blob);
    if (be32(b) != kMagic)
        return Status::bad_format;
    const std::uint32_t total = be32(b + 4);
    const std::uint32_t off_struct = be32(b + 8);
    const std::uint32_t off_strings = be32(b + 12);
    const std::uint32_t version = be32(b + 20);
    const std::uint32_t size_strings = be32(b + 32);
    const std::uint32_t size_struct = be32(b + 36);
    if (total < kHeaderSize || total > max_size || version < 17)
        return Status::bad_format;
    if (off_struct > total || size_struct > total - off_struct)
        return Status::bad_format;
    if (off_strings > total || size_strings > total - off_strings)
        return Status::bad_format;
    if ((off_struct & 3u) != 0 || size_struct < 8)
        return Status::bad_format;
    Fdt fdt(b, total, off_struct, size_struct, off_strings, size_strings);
    auto first = fdt.token(0);
    if (!first || *first != kBeginNode || fdt.after_name(0) == kNone)
        return Status::bad_format;
    return fdt;
}

std::optional<std::uint32_t> Fdt::token(std::uint32_t pos) const {
    if (pos > structs_size_ || structs_size_ - pos < 4 || (pos & 3u) != 0)
        return std::nullopt;
    return be32(base_ + structs_ + pos);
}

std::uint32_t Fdt::after_name(std::uint32_t pos) const {
    for (std::uint32_t p = pos + 4; p < structs_size_; ++p) {
        if (base_[structs_ + p] == 0)
            return align4(p + 1);
    }
    return kNone;
}

std::string_view Fdt::name(Node node) const {
    const std::uint32_t end = after_name(node.offset);
    if (end == kNone)
        return {};
    const char* start = reinterpret_cast<const char*>(base_ + structs_ + node.offset + 4);
    std::size_t len = 0;
    while (start[len] != '\0')
        ++len;
    return {start, len};
}

// Skips the properties and NOPs after a node's name: the offset of its first child or END.
std::uint32_t Fdt::first_child_offset(Node node) const {
    std::uint32_t p = after_name(node.offset);
    while (p != kNone) {
        auto t = token(p);
        if (!t)
            return kNone;
        if (*t == kNop) {
            p += 4;
        } else if (*t == kProp) {
            auto len = token(p + 4);
            if (!len || *len > structs_size_)
                return kNone;
            p = align4(p + 12 + *len);
        } else {
            return *t == kBeginNode ? p : kNone;
        }
    }
    return kNone;
}

std::uint32_t Fdt::skip_node(std::uint32_t pos) const {
    // Iterative, so that a hostile tree cannot exhaust the hypervisor's stack.
    std::uint32_t depth = 0;
    std::uint32_t p = pos;
    while (true) {
        auto t = token(p);
        if (!t)
            return kNone;
        switch (*t) {
            case kBeginNode:
                p = after_name(p);
                if (p == kNone)
                    return kNone;
                ++depth;
                break;
            case kEndNode:
                p += 4;
                if (--depth == 0)
                    return p;
                break;
            case kProp: {
                auto len = token(p + 4);
                if (!len || *len > structs_size_)
                    return kNone;
                p = align4(p + 12 + *len);
                break;
            }
            case kNop:
                p += 4;
                break;
            default:
                return kNone;  // FDT_END or garbage inside a node
        }
    }
}

std::uint32_t Fdt::next_sibling_offset(std::uint32_t pos) const {
    std::uint32_t p = skip_node(pos);
    while (p != kNone) {
        auto t = token(p);
        if (!t)
            return kNone;
        if (*t == kNop) {
            p += 4;
            continue;
        }
        return *t == kBeginNode ? p : kNone;
    }
    return kNone;
}

bool Fdt::next_property(std::uint32_t& pos, std::string_view& name,
                        std::span<const std::uint8_t>& value) const {
    while (pos != kNone) {
        auto t = token(pos);
        if (!t || (*t != kProp && *t != kNop))
            return false;
        if (*t == kNop) {
            pos += 4;
            continue;
        }
        auto len = token(pos + 4);
        auto name_off = token(pos + 8);
        if (!len || !name_off || *len > structs_size_ - (pos + 12) || *name_off >= strings_size_) {
            return false;
        }
        const char* n = reinterpret_cast<const char*>(base_ + strings_ + *name_off);
        std::size_t n_len = 0;
        while (*name_off + n_len < strings_size_ && n[n_len] != '\0')
            ++n_len;
        name = std::string_view(n, n_len);
        value = std::span<const std::uint8_t>(base_ + structs_ + pos + 12, *len);
        pos = align4(pos + 12 + *len);
        return true;
    }
    return false;
}

std::optional<std::span<const std::uint8_t>> Fdt::property(Node node,
                                                           std::string_view wanted) const {
    std::uint32_t pos = after_name(node.offset);
    std::string_view name;
    std::span<const std::uint8_t> value;
    while (next_property(pos, name, value)) {
        if (name == wanted)
            return value;
    }
    return std::nullopt;
}

std::optional<std::string_view> Fdt::string_property(Node node, std::string_view name) const {
    auto bytes = property(node, name);
    if (!bytes || bytes->empty())
        return std::nullopt;
    const char* s = reinterpret_cast<const char*>(bytes->data());
    std::size_t len = 0;
    while (len < bytes->size() && s[len] != '\0')
        ++len;
    if (len == bytes->size())
        return std::nullopt;  // not terminated
    return std::string_view(s, len);
}

std::optional<std::uint32_t> Fdt::u32_property(Node node, std::string_view name) const {
    auto bytes = property(node, name);
    if (!bytes || bytes->size() != 4)
        return std::nullopt;
    return be32(bytes->data());
}

bool Fdt::is_compatible(Node node, std::string_view compatible) const {
    auto bytes = property(node, "compatible");
    if (!bytes)
        return false;
    const char* s = reinterpret_cast<const char*>(bytes->data());
    std::size_t start = 0;
    for (std::size_t i = 0; i < bytes->size(); ++i) {
        if (s[i] == '\0') {
            if (std::string_view(s + start, i - start) == compatible)
                return true;
            start = i + 1;
        }
    }
    return false;
}

std::optional<Fdt::Node> Fdt::child(Node node, std::string_view wanted) const {
    std::optional<Node> found;
    for_each_child(node, [&](Node c) {
        const std::string_view n = name(c);
        const std::size_t at = n.find('@');
        if (n == wanted || (wanted.find('@') == std::string_view::npos &&
                            at != std::string_view::npos && n.substr(0, at) == wanted)) {
            found = c;
            return false;
        }
        return true;
    });
    return found;
}

std::optional<Fdt::Node> Fdt::find_path(std::string_view path) const {
    if (path.empty() || path[0] != '/')
        return std::nullopt;
    Node node = root();
    std::size_t pos = 1;
    while (pos < path.size()) {
        std::size_t slash = path.find('/', pos);
        if (slash == std::string_view::npos)
            slash = path.size();
        auto next = child(node, path.substr(pos, slash - pos));
        if (!next)
            return std::nullopt;
        node = *next;
        pos = slash + 1;
    }
    return node;
}

std::optional<Fdt::Range> Fdt::reg(Node parent, Node node, std::size_t index) const {
    const std::uint32_t ac = u32_property(parent, "#address-cells").value_or(2);
    const std::uint32_t sc = u32_property(parent, "#size-cells").value_or(1);
    if (ac < 1 || ac > 2 || sc > 2)
        return std::nullopt;
    auto bytes = property(node, "reg");
    const std::size_t entry = (ac + sc) * 4u;
    if (!bytes || (index + 1) * entry > bytes->size())
        return std::nullopt;
    const std::uint8_t* p = bytes->data() + index * entry;
    Range r;
    for (std::uint32_t i = 0; i < ac; ++i)
        r.address = (r.address << 32) | be32(p + 4 * i);
    for (std::uint32_t i = 0; i < sc; ++i)
        r.size = (r.size << 32) | be32(p + 4 * (ac + i));
    return r;
}

}  // namespace tern::lib
