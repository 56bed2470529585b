#include "dom0/builder/disk_spec.hpp"

#include <array>
#include <utility>
#include <vector>

namespace tern::dom0 {

namespace {

constexpr std::uint32_t kXvdMajor = 202;
constexpr std::size_t kMaxXvdDisks = 16;

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (;;) {
        const std::size_t at = text.find(separator);
        parts.push_back(text.substr(0, at));
        if (at == std::string_view::npos)
            return parts;
        text.remove_prefix(at + 1);
    }
}

}  // namespace

DiskSpec parse_disk_spec(std::string_view text) {
    const auto parts = split(text, ',');
    if (parts.size() != 3)
        throw std::invalid_argument(
            "a disk is \"TARGET,VDEV,MODE\" (e.g. \"file:/disk.img,"
            "xvda,w\"), not \"" +
            std::string(text) + "\"");
    DiskSpec disk;
    std::string_view target = parts[0];
    constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kPrefixes = {{
        {"tap:qcow2:", "qcow2"},
        {"tap:aio:", "raw"},
        {"qcow2:", "qcow2"},
        {"file:", "raw"},
        {"raw:", "raw"},
    }};
    disk.format = "raw";
    for (const auto& [prefix, format] : kPrefixes) {
        if (target.starts_with(prefix)) {
            target.remove_prefix(prefix.size());
            disk.format = format;
            break;
        }
    }
    if (target.starts_with("phy:") || target.starts_with("tap:"))
        throw std::invalid_argument("unsupported disk target '" + std::string(parts[0]) +
                                    "' (file:, raw:, qcow2: or tap:aio:/tap:qcow2: images)");
    if (target.empty() || target.front() != '/')
        throw std::invalid_argument("a disk image needs an absolute path, not '" +
                                    std::string(target) + "'");
    disk.path = target;

    const std::string_view vdev = parts[1];
    if (vdev.size() != 4 || !vdev.starts_with("xvd") || vdev[3] < 'a' ||
        static_cast<std::size_t>(vdev[3] - 'a') >= kMaxXvdDisks)
        throw std::invalid_argument("unsupported virtual device '" + std::string(vdev) +
                                    "' (xvda to xvdp)");
    disk.vdev = vdev;
    disk.devid = (kXvdMajor << 8) | (static_cast<std::uint32_t>(vdev[3] - 'a') << 4);

    const std::string_view mode = parts[2];
    if (mode == "w" || mode == "rw" || mode == "w!")
        disk.writable = true;
    else if (mode == "r" || mode == "ro")
        disk.writable = false;
    else
        throw std::invalid_argument("unknown disk mode '" + std::string(mode) + "' (w or r)");
    return disk;
}

}  // namespace tern::dom0
