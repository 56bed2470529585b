// Defines the rules of xenstore paths: which are valid, how relative paths resolve, and the
// parent/child relation of docs/misc/xenstore.txt.
#pragma once

#include <string>
#include <string_view>

#include "xenstored/domain_id.hpp"
#include "xenstored/xs_error.hpp"

namespace tern::dom0::xenstored {

inline constexpr std::string_view kIntroduceDomainWatch = "@introduceDomain";
inline constexpr std::string_view kReleaseDomainWatch = "@releaseDomain";

// True for "@introduceDomain", "@releaseDomain" and any other "@..." name.
inline bool is_special_path(std::string_view path) {
    return !path.empty() && path[0] == '@';
}

// Resolves a request's path for a caller: an absolute path is checked as it is, a relative one
// is put under /local/domain/<domid>. Fails with EINVAL on a malformed or too long path.
XsResult<std::string> resolve_path(const Caller& caller, std::string_view raw);

// Like resolve_path, but also accepts special watch names ("@releaseDomain").
XsResult<std::string> resolve_watch_path(const Caller& caller, std::string_view raw);

// True if `child` is `parent` or below it ("/" is the parent of everything).
bool is_child_of(std::string_view child, std::string_view parent);

// The parent of an absolute path other than "/" ("/a/b" -> "/a", "/a" -> "/").
std::string parent_path(std::string_view path);

// The last component of an absolute path other than "/".
std::string_view leaf_name(std::string_view path);

// `parent` + "/" + `leaf`, with no doubled slash under the root.
std::string child_path(std::string_view parent, std::string_view leaf);

}  // namespace tern::dom0::xenstored
