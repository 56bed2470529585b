// Tern's command line.
#include "common/command_line.hpp"

namespace tern::hv {
namespace {

bool parse_uint(std::string_view text, std::uint64_t& out) {
    if (text.empty())
        return false;
    std::uint64_t v = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return false;
        const std::uint64_t next = v * 10 + static_cast<std::uint64_t>(c - '0');
        if (next / 10 != v)
            return false;  // overflow
        v = next;
    }
    out = v;
    return true;
}

}  // namespace

bool parse_size(std::string_view text, std::uint64_t& out) {
    // Xen allows "min:...,max:..." forms; the plain amount comes first.
    const std::size_t comma = text.find(',');
    if (comma != std::string_view::npos)
        text = text.substr(0, comma);
    if (text.empty())
        return false;
    unsigned shift = 0;
    switch (text.back()) {
        case 'K':
        case 'k':
            shift = 10;
            break;
        case 'M':
        case 'm':
            shift = 20;
            break;
        case 'G':
        case 'g':
            shift = 30;
            break;
        case 'T':
        case 't':
            shift = 40;
            break;
        default:
            break;
    }
    if (shift != 0)
        text.remove_suffix(1);
    std::uint64_t v = 0;
    if (!parse_uint(text, v) || (shift != 0 && v > (~0ull >> shift)))
        return false;
    out = v << shift;
    return true;
}

const char* log_level_name(LogLevel level) {
    switch (level) {
        case LogLevel::none:
            return "none";
        case LogLevel::error:
            return "error";
        case LogLevel::warning:
            return "warning";
        case LogLevel::info:
            return "info";
        case LogLevel::debug:
            return "debug";
        case LogLevel::all:
            return "all";
    }
    return "?";
}

HypervisorOptions parse_command_line(std::string_view line) {
    HypervisorOptions opts;
    std::size_t pos = 0;
    while (pos < line.size()) {
        while (pos < line.size() && line[pos] == ' ')
            ++pos;
        std::size_t end = line.find(' ', pos);
        if (end == std::string_view::npos)
            end = line.size();
        const std::string_view word = line.substr(pos, end - pos);
        pos = end;
        if (word.empty())
            continue;
        const std::size_t eq = word.find('=');
        const std::string_view key = word.substr(0, eq);
        const std::string_view value =
            eq == std::string_view::npos ? std::string_view{} : word.substr(eq + 1);
        if (key == "dom0_mem") {
            std::uint64_t size = 0;
            if (parse_size(value, size) && size >= (16ull << 20)) {
                opts.dom0_mem = size;
            } else {
                ++opts.invalid;
            }
        } else if (key == "dom0_max_vcpus") {
            std::uint64_t n = 0;
            if (parse_uint(value, n) && n >= 1 && n <= 128) {
                opts.dom0_max_vcpus = static_cast<std::uint32_t>(n);
            } else {
                ++opts.invalid;
            }
        } else if (key == "bootscrub") {
            if (value == "idle") {
                opts.bootscrub_idle = true;
            } else if (value == "0" || value == "no" || value == "off" || value == "false") {
                opts.bootscrub_idle = false;
            } else {
                ++opts.invalid;  // Xen's boot-time scrub (bootscrub=1) is not Tern's
            }
        } else if (key == "domu_stage2") {
            if (value == "pages") {
                opts.domu_stage2_pages = true;
            } else if (value == "blocks") {
                opts.domu_stage2_pages = false;
            } else {
                ++opts.invalid;
            }
        } else if (key == "dom0_vcpus_pin") {
            if (value.empty()) {
                opts.dom0_vcpus_pin = true;
            } else {
                ++opts.invalid;
            }
        } else if (key == "dom0_weight") {
            std::uint64_t n = 0;
            if (parse_uint(value, n) && n >= 1 && n <= 65535) {
                opts.dom0_weight = static_cast<std::uint32_t>(n);
            } else {
                ++opts.invalid;
            }
        } else if (key == "console") {
            opts.console = value;
        } else if (key == "loglvl") {
            const std::string_view level = value.substr(0, value.find('/'));
            if (level == "none")
                opts.loglvl = LogLevel::none;
            else if (level == "error")
                opts.loglvl = LogLevel::error;
            else if (level == "warning")
                opts.loglvl = LogLevel::warning;
            else if (level == "info")
                opts.loglvl = LogLevel::info;
            else if (level == "debug")
                opts.loglvl = LogLevel::debug;
            else if (level == "all")
                opts.loglvl = LogLevel::all;
            else
                ++opts.invalid;
        } else if (key == "tern_selftest") {
            if (value == "fault") {
                opts.selftest_fault = true;
            } else {
                ++opts.invalid;
            }
        } else {
            ++opts.unknown;
        }
    }
    return opts;
}

}  // namespace tern::hv
