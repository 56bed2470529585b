// Validation and resolution of xenstore paths.
#include "xenstored/path.hpp"

#include "xenstored/wire.hpp"

namespace tern::dom0::xenstored {
namespace {

bool is_path_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '/' || c == '_' || c == '@';
}

bool is_well_formed_absolute(std::string_view path) {
    if (path.empty() || path[0] != '/' || path.size() > kAbsolutePathMax) {
        return false;
    }
    if (path.size() > 1 && path.back() == '/') {
        return false;
    }
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (!is_path_char(path[i]) ||
            (path[i] == '/' && i + 1 < path.size() && path[i + 1] == '/')) {
            return false;
        }
    }
    return true;
}

}  // namespace

XsResult<std::string> resolve_path(const Caller& caller, std::string_view raw) {
    if (raw.empty()) {
        return XsError::kEINVAL;
    }
    std::string absolute;
    if (raw[0] == '/') {
        absolute = std::string(raw);
    } else {
        if (raw.size() > kRelativePathMax) {
            return XsError::kEINVAL;
        }
        absolute = domain_path(caller.domid) + "/" + std::string(raw);
    }
    if (!is_well_formed_absolute(absolute)) {
        return XsError::kEINVAL;
    }
    return absolute;
}

XsResult<std::string> resolve_watch_path(const Caller& caller, std::string_view raw) {
    if (is_special_path(raw)) {
        for (char c : raw) {
            if (!is_path_char(c)) {
                return XsError::kEINVAL;
            }
        }
        return std::string(raw);
    }
    return resolve_path(caller, raw);
}

bool is_child_of(std::string_view child, std::string_view parent) {
    if (parent == "/") {
        return !child.empty() && child[0] == '/';
    }
    if (!child.starts_with(parent)) {
        return false;
    }
    return child.size() == parent.size() || child[parent.size()] == '/';
}

std::string parent_path(std::string_view path) {
    const auto slash = path.rfind('/');
    if (slash == 0 || slash == std::string_view::npos) {
        return "/";
    }
    return std::string(path.substr(0, slash));
}

std::string_view leaf_name(std::string_view path) {
    const auto slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string child_path(std::string_view parent, std::string_view leaf) {
    std::string out(parent);
    if (out != "/") {
        out += '/';
    }
    out += leaf;
    return out;
}

}  // namespace tern::dom0::xenstored
