#include "dom0/builder/vif_spec.hpp"

#include <cctype>
#include <cstdio>

namespace tern::dom0 {

namespace {

bool is_mac(std::string_view text) {
    if (text.size() != 17)
        return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const bool separator = i % 3 == 2;
        if (separator ? text[i] != ':' : !std::isxdigit(static_cast<unsigned char>(text[i])))
            return false;
    }
    // A unicast address: the multicast bit of the first octet is clear.
    const unsigned first =
        static_cast<unsigned>(std::stoul(std::string(text.substr(0, 2)), nullptr, 16));
    return (first & 1) == 0;
}

bool is_bridge_name(std::string_view text) {
    if (text.empty() || text.size() > 15)  // IFNAMSIZ - 1
        return false;
    for (const char c : text) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.')
            return false;
    }
    return true;
}

}  // namespace

VifSpec parse_vif_spec(std::string_view text, std::uint32_t devid) {
    VifSpec vif;
    vif.devid = devid;
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view setting = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        const std::size_t equals = setting.find('=');
        if (equals == std::string_view::npos)
            throw std::invalid_argument("a vif setting is KEY=VALUE, not '" + std::string(setting) +
                                        "'");
        const std::string_view key = setting.substr(0, equals);
        const std::string_view value = setting.substr(equals + 1);
        if (key == "mac") {
            if (!is_mac(value))
                throw std::invalid_argument("'" + std::string(value) +
                                            "' is not a unicast MAC address (xx:xx:xx:xx:xx:xx)");
            vif.mac = value;
        } else if (key == "bridge") {
            if (!is_bridge_name(value))
                throw std::invalid_argument("'" + std::string(value) +
                                            "' is not an interface name");
            vif.bridge = value;
        } else {
            throw std::invalid_argument("unknown vif setting '" + std::string(key) +
                                        "' (mac or bridge)");
        }
    }
    return vif;
}

std::string default_vif_mac(std::uint32_t domain, std::uint32_t devid) {
    char mac[18];
    std::snprintf(mac, sizeof mac, "00:16:3e:%02x:%02x:%02x", (domain >> 8) & 0xff, domain & 0xff,
                  devid & 0xff);
    return mac;
}

}  // namespace tern::dom0
