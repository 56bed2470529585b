// Encoding helpers of the xenstore wire format.
#include "xenstored/wire.hpp"

#include <array>
#include <cstring>

namespace tern::dom0::xenstored {

std::string_view message_type_name(std::uint32_t type) {
    static constexpr std::array<std::string_view, 23> kNames = {"CONTROL",
                                                                "DIRECTORY",
                                                                "READ",
                                                                "GET_PERMS",
                                                                "WATCH",
                                                                "UNWATCH",
                                                                "TRANSACTION_START",
                                                                "TRANSACTION_END",
                                                                "INTRODUCE",
                                                                "RELEASE",
                                                                "GET_DOMAIN_PATH",
                                                                "WRITE",
                                                                "MKDIR",
                                                                "RM",
                                                                "SET_PERMS",
                                                                "WATCH_EVENT",
                                                                "ERROR",
                                                                "IS_DOMAIN_INTRODUCED",
                                                                "RESUME",
                                                                "SET_TARGET",
                                                                "UNKNOWN",
                                                                "RESET_WATCHES",
                                                                "DIRECTORY_PART"};
    return type < kNames.size() ? kNames[type] : "UNKNOWN";
}

std::string encode_message(const MessageHeader& header, std::string_view payload) {
    std::string out(kHeaderSize, '\0');
    MessageHeader h = header;
    h.len = static_cast<std::uint32_t>(payload.size());
    std::memcpy(out.data(), &h, kHeaderSize);
    out.append(payload);
    return out;
}

std::vector<std::string_view> split_strings(std::string_view payload) {
    std::vector<std::string_view> parts;
    while (!payload.empty()) {
        const auto nul = payload.find('\0');
        if (nul == std::string_view::npos) {
            parts.push_back(payload);
            break;
        }
        parts.push_back(payload.substr(0, nul));
        payload.remove_prefix(nul + 1);
    }
    return parts;
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
    if (text.empty() || text.size() > 19) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

}  // namespace tern::dom0::xenstored
