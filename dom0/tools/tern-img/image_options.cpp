// Implements tern-img's size and creation-option parsing.
#include "image_options.hpp"

#include <charconv>
#include <cstdio>
#include <stdexcept>

namespace tern::dom0::tern_img {

std::uint64_t parse_size(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc{} || end == text.data()) {
        throw std::invalid_argument("invalid size \"" + std::string(text) + "\"");
    }
    std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
    if (suffix == "B" || suffix == "b") {
        suffix = {};
    }
    int shift = 0;
    if (!suffix.empty()) {
        switch (suffix[0]) {
            case 'k':
            case 'K':
                shift = 10;
                break;
            case 'm':
            case 'M':
                shift = 20;
                break;
            case 'g':
            case 'G':
                shift = 30;
                break;
            case 't':
            case 'T':
                shift = 40;
                break;
            case 'p':
            case 'P':
                shift = 50;
                break;
            case 'e':
            case 'E':
                shift = 60;
                break;
            default:
                throw std::invalid_argument("invalid size suffix in \"" + std::string(text) + "\"");
        }
        const std::string_view rest = suffix.substr(1);
        if (!rest.empty() && rest != "B" && rest != "iB") {
            throw std::invalid_argument("invalid size suffix in \"" + std::string(text) + "\"");
        }
    }
    if (shift > 0 && value > (~std::uint64_t{0} >> shift)) {
        throw std::invalid_argument("size \"" + std::string(text) + "\" is too large");
    }
    return value << shift;
}

namespace {

bool parse_switch(std::string_view key, std::string_view value) {
    if (value == "on" || value == "true" || value == "yes") {
        return true;
    }
    if (value == "off" || value == "false" || value == "no") {
        return false;
    }
    throw std::invalid_argument("option " + std::string(key) + " takes on or off, not \"" +
                                std::string(value) + "\"");
}

}  // namespace

void apply_create_options(std::string_view text, diskimage::CreateOptions& options) {
    while (!text.empty()) {
        const std::size_t comma = text.find(',');
        const std::string_view item = text.substr(0, comma);
        text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
        const std::size_t equals = item.find('=');
        if (equals == std::string_view::npos) {
            throw std::invalid_argument("option \"" + std::string(item) + "\" needs key=value");
        }
        const std::string_view key = item.substr(0, equals);
        const std::string_view value = item.substr(equals + 1);
        if (key == "cluster_size") {
            options.cluster_size = static_cast<std::uint32_t>(parse_size(value));
        } else if (key == "compat") {
            if (value == "1.1" || value == "v3") {
                options.qcow2_version = 3;
            } else if (value == "0.10" || value == "v2") {
                options.qcow2_version = 2;
            } else {
                throw std::invalid_argument("compat must be 0.10 or 1.1, not \"" +
                                            std::string(value) + "\"");
            }
        } else if (key == "lazy_refcounts") {
            options.lazy_refcounts = parse_switch(key, value);
        } else if (key == "refcount_bits") {
            options.refcount_bits = static_cast<std::uint32_t>(parse_size(value));
        } else if (key == "backing_file") {
            options.backing_file = std::string(value);
        } else if (key == "backing_fmt") {
            options.backing_format = diskimage::parse_format(value, "backing_fmt");
        } else if (key == "size") {
            options.virtual_size = parse_size(value);
        } else {
            throw std::invalid_argument("unknown option \"" + std::string(key) + "\"");
        }
    }
}

std::string human_size(std::uint64_t bytes) {
    static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    double value = static_cast<double>(bytes);
    std::size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(kUnits)) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    if (unit == 0) {
        std::snprintf(text, sizeof text, "%llu B", static_cast<unsigned long long>(bytes));
    } else {
        std::snprintf(text, sizeof text, "%.3g %s", value, kUnits[unit]);
    }
    return text;
}

}  // namespace tern::dom0::tern_img
