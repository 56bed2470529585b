// Defines node permissions as Xen has them: a list whose first entry names the owner and the
// access of every domain not listed, then per-domain entries ("n0", "r5", "b7").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xenstored/domain_id.hpp"

namespace tern::dom0::xenstored {

enum class Access : std::uint8_t { kNone = 0, kRead = 1, kWrite = 2, kBoth = 3 };

inline bool allows_read(Access a) {
    return (static_cast<unsigned>(a) & 1U) != 0;
}
inline bool allows_write(Access a) {
    return (static_cast<unsigned>(a) & 2U) != 0;
}

struct Permission {
    DomainId domid;
    Access access = Access::kNone;
    friend bool operator==(const Permission&, const Permission&) = default;
};

// A node's permissions; never empty.
class PermissionList {
  public:
    // Owned by `owner`, no access for others: what dom0 gives the root.
    static PermissionList owned_by(DomainId owner);
    // Parses the strings of GET_PERMS / SET_PERMS; nullopt if any is malformed or none given.
    static std::optional<PermissionList> parse(const std::vector<std::string_view>& entries);

    DomainId owner() const { return entries_.front().domid; }
    void set_owner(DomainId owner) { entries_.front().domid = owner; }
    const std::vector<Permission>& entries() const { return entries_; }
    std::size_t size() const { return entries_.size(); }

    // The GET_PERMS payload: each entry as a nul-terminated string.
    std::string to_payload() const;

    // The access `caller` has. Privileged callers, the owner and a caller targeting the owner
    // have full access; others get their own entry, their target's entry, or the default.
    Access access_for(const Caller& caller) const;
    // True if `caller` may change these permissions (privileged, the owner or its target's).
    bool is_owner(const Caller& caller) const;

    friend bool operator==(const PermissionList&, const PermissionList&) = default;

  private:
    explicit PermissionList(std::vector<Permission> entries) : entries_(std::move(entries)) {}
    std::vector<Permission> entries_;
};

// One entry as text ("r5").
std::string format_permission(const Permission& permission);
// Parses one entry; nullopt if malformed.
std::optional<Permission> parse_permission(std::string_view text);

}  // namespace tern::dom0::xenstored
