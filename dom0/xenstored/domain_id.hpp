// Defines DomainId, a Xen domain id, and Caller, who sends a request and with which rights.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

namespace tern::dom0::xenstored {

struct DomainId {
    std::uint32_t value = 0;
    friend auto operator<=>(const DomainId&, const DomainId&) = default;
};

inline constexpr DomainId kDom0{0};
// Real domain ids are below DOMID_FIRST_RESERVED (0x7ff0).
inline constexpr std::uint32_t kFirstReservedDomid = 0x7ff0;

// The domain a connection belongs to, whether it is privileged (dom0) and the domain it targets
// (SET_TARGET: a device-model domain acting for its guest).
struct Caller {
    DomainId domid;
    bool privileged = false;
    std::optional<DomainId> target;
};

// /local/domain/<id>, the home of a domain and the base of its relative paths.
inline std::string domain_path(DomainId domid) {
    return "/local/domain/" + std::to_string(domid.value);
}

}  // namespace tern::dom0::xenstored
