// Splitting the classic disk and vif strings into their fields.
#include "config/device_specs.hpp"

#include <cctype>
#include <vector>

namespace tern::cli {
namespace {

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (true) {
        auto end = text.find(separator, start);
        std::string part(text.substr(start, end == std::string_view::npos ? end : end - start));
        while (!part.empty() && std::isspace(static_cast<unsigned char>(part.front()))) {
            part.erase(part.begin());
        }
        while (!part.empty() && std::isspace(static_cast<unsigned char>(part.back()))) {
            part.pop_back();
        }
        parts.push_back(part);
        if (end == std::string_view::npos) {
            return parts;
        }
        start = end + 1;
    }
}

ConfigError spec_error(std::string message) {
    return ConfigError{"", {}, std::move(message)};
}

bool is_mac(std::string_view mac) {
    if (mac.size() != 17) {
        return false;
    }
    for (std::size_t i = 0; i < mac.size(); ++i) {
        if (i % 3 == 2 ? mac[i] != ':' : !std::isxdigit(static_cast<unsigned char>(mac[i]))) {
            return false;
        }
    }
    return true;
}

}  // namespace

bool is_disk_mode(std::string_view mode) {
    return mode == "r" || mode == "w" || mode == "w!";
}

ConfigResult<DiskConfig> parse_disk_spec(std::string_view spec) {
    auto fields = split(spec, ',');
    if (fields.size() < 3 || fields.size() > 4) {
        return spec_error("disk '" + std::string(spec) +
                          "': expected 'TYPE:PATH,DEVICE,MODE[,BACKEND-DOMAIN]' (3 or 4 "
                          "comma-separated fields), found " +
                          std::to_string(fields.size()));
    }
    DiskConfig disk;
    disk.source = fields[0];
    if (disk.source.find(':') == std::string::npos || disk.source.back() == ':') {
        return spec_error("disk '" + std::string(spec) +
                          "': expected TYPE:PATH (phy:, file:, "
                          "tap:aio:, ...) as the first field, found '" +
                          disk.source + "'");
    }
    disk.device = fields[1];
    if (auto colon = disk.device.find(':'); colon != std::string::npos) {
        if (disk.device.substr(colon + 1) != "cdrom") {
            return spec_error("disk '" + std::string(spec) +
                              "': expected DEVICE or DEVICE:cdrom, "
                              "found '" +
                              disk.device + "'");
        }
        disk.cdrom = true;
        disk.device.resize(colon);
    }
    if (disk.device.empty()) {
        return spec_error("disk '" + std::string(spec) + "': the device name is empty");
    }
    if (!is_disk_mode(fields[2])) {
        return spec_error("disk '" + std::string(spec) + "': expected mode r, w or w!, found '" +
                          fields[2] + "'");
    }
    disk.writable = fields[2] != "r";
    if (fields.size() == 4) {
        disk.backend_domain = fields[3];
    }
    return disk;
}

ConfigResult<VifConfig> parse_vif_spec(std::string_view spec) {
    VifConfig vif;
    if (spec.empty()) {
        return vif;
    }
    for (const auto& pair : split(spec, ',')) {
        if (pair.empty()) {
            continue;
        }
        auto equals = pair.find('=');
        if (equals == std::string::npos) {
            return spec_error("vif '" + std::string(spec) + "': expected key=value, found '" +
                              pair + "'");
        }
        std::string key = pair.substr(0, equals);
        std::string value = pair.substr(equals + 1);
        if (key == "mac") {
            if (!is_mac(value)) {
                return spec_error("vif '" + std::string(spec) +
                                  "': expected a MAC address like 00:16:3e:12:34:56, found '" +
                                  value + "'");
            }
            vif.mac = value;
        } else if (key == "bridge") {
            vif.bridge = value;
        } else if (key == "ip") {
            vif.ip = value;
        } else if (key == "vifname") {
            vif.vifname = value;
        } else if (key == "model") {
            vif.model = value;
        } else if (key == "script") {
            vif.script = value;
        } else if (key == "rate") {
            vif.rate = value;
        } else if (key == "backend") {
            vif.backend = value;
        } else if (key == "type") {
            // ioemu or netfront: the same XenAPI VIF either way.
        } else if (key == "mtu") {
            try {
                vif.mtu = std::stoll(value);
            } catch (...) {
                return spec_error("vif '" + std::string(spec) + "': mtu must be a number, found '" +
                                  value + "'");
            }
        } else {
            return spec_error("vif '" + std::string(spec) + "': unknown key '" + key +
                              "' (known: mac, bridge, ip, script, backend, vifname, rate, model, "
                              "type, mtu)");
        }
    }
    return vif;
}

}  // namespace tern::cli
