// Defines small helpers the request handlers share: payload building and parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xenstored/path.hpp"
#include "xenstored/wire.hpp"

namespace tern::dom0::xenstored::handler_helpers {

// The reply of a request that has nothing else to say.
inline const std::string kOk = std::string("OK") + '\0';

inline std::string nul_terminated(std::string_view text) {
    std::string out(text);
    out += '\0';
    return out;
}

inline std::string join_strings(const std::vector<std::string>& strings) {
    std::string out;
    for (const auto& s : strings) {
        out += s;
        out += '\0';
    }
    return out;
}

// The first string of a payload, or nullopt if there is none.
inline std::optional<std::string_view> first_string(const std::string& payload) {
    const auto parts = split_strings(payload);
    if (parts.empty()) {
        return std::nullopt;
    }
    return parts.front();
}

// The path a request's payload starts with, resolved for `caller` (EINVAL when there is none).
inline XsResult<std::string> payload_path(const Caller& caller, const std::string& payload) {
    const auto raw = first_string(payload);
    if (!raw) {
        return XsError::kEINVAL;
    }
    return resolve_path(caller, *raw);
}

}  // namespace tern::dom0::xenstored::handler_helpers
