// Parsing, formatting and evaluation of node permissions.
#include "xenstored/permissions.hpp"

#include "xenstored/wire.hpp"

namespace tern::dom0::xenstored {

PermissionList PermissionList::owned_by(DomainId owner) {
    return PermissionList({Permission{owner, Access::kNone}});
}

std::optional<PermissionList> PermissionList::parse(const std::vector<std::string_view>& entries) {
    std::vector<Permission> parsed;
    for (auto text : entries) {
        auto permission = parse_permission(text);
        if (!permission) {
            return std::nullopt;
        }
        parsed.push_back(*permission);
    }
    if (parsed.empty()) {
        return std::nullopt;
    }
    return PermissionList(std::move(parsed));
}

std::string PermissionList::to_payload() const {
    std::string out;
    for (const auto& entry : entries_) {
        out += format_permission(entry);
        out += '\0';
    }
    return out;
}

bool PermissionList::is_owner(const Caller& caller) const {
    return caller.privileged || caller.domid == owner() ||
           (caller.target && *caller.target == owner());
}

Access PermissionList::access_for(const Caller& caller) const {
    if (is_owner(caller)) {
        return Access::kBoth;
    }
    bool listed = false;
    unsigned rights = 0;
    for (std::size_t i = 1; i < entries_.size(); ++i) {
        const auto& entry = entries_[i];
        if (entry.domid == caller.domid || (caller.target && entry.domid == *caller.target)) {
            listed = true;
            rights |= static_cast<unsigned>(entry.access);
        }
    }
    return listed ? static_cast<Access>(rights) : entries_.front().access;
}

std::string format_permission(const Permission& permission) {
    static constexpr char kLetters[] = {'n', 'r', 'w', 'b'};
    return kLetters[static_cast<unsigned>(permission.access)] +
           std::to_string(permission.domid.value);
}

std::optional<Permission> parse_permission(std::string_view text) {
    if (text.size() < 2) {
        return std::nullopt;
    }
    Access access;
    switch (text[0]) {
        case 'n':
            access = Access::kNone;
            break;
        case 'r':
            access = Access::kRead;
            break;
        case 'w':
            access = Access::kWrite;
            break;
        case 'b':
            access = Access::kBoth;
            break;
        default:
            return std::nullopt;
    }
    const auto domid = parse_decimal(text.substr(1));
    if (!domid || *domid > 0xffff) {
        return std::nullopt;
    }
    return Permission{DomainId{static_cast<std::uint32_t>(*domid)}, access};
}

}  // namespace tern::dom0::xenstored
