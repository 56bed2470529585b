#include "dom0/builder/guest_vbd.hpp"

#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

#include "dom0/builder/xenbus_device.hpp"

namespace tern::dom0 {

namespace {

namespace xs = xenstored;

constexpr const char* kStateClosing = "5";
constexpr const char* kStateClosed = "6";
constexpr std::chrono::milliseconds kPollInterval{100};

}  // namespace

std::string vbd_backend_root(std::uint32_t domain) {
    return "/local/domain/0/backend/vbd/" + std::to_string(domain);
}

std::string vbd_backend_path(std::uint32_t domain, std::uint32_t devid) {
    return vbd_backend_root(domain) + "/" + std::to_string(devid);
}

void add_vbds_to_xenstore(xs::XenstoreClient& store, std::uint32_t domain,
                          const std::vector<DiskSpec>& disks) {
    const xs::DomainId guest{domain};
    for (const DiskSpec& disk : disks) {
        std::error_code error;
        if (!std::filesystem::is_regular_file(disk.path, error))
            throw std::runtime_error("the image of " + disk.vdev + ", '" + disk.path +
                                     "', is not a file");
        const std::string backend = vbd_backend_path(domain, disk.devid);
        const std::string frontend =
            xs::domain_path(guest) + "/device/vbd/" + std::to_string(disk.devid);
        const XenstoreEntries backend_entries = {
            {"frontend", frontend},
            {"frontend-id", std::to_string(domain)},
            {"online", "1"},
            {"removable", "0"},
            {"params", disk.path},
            {"format", disk.format},
            {"mode", disk.writable ? "w" : "r"},
            {"type", "file"},
            {"dev", disk.vdev},
            {"device-type", "disk"},
            {"state", kXenbusInitialising},
        };
        const XenstoreEntries frontend_entries = {
            {"backend", backend},
            {"backend-id", "0"},
            {"virtual-device", std::to_string(disk.devid)},
            {"device-type", "disk"},
            {"state", kXenbusInitialising},
        };
        add_xenbus_device(store, domain, backend, backend_entries, frontend, frontend_entries,
                          disk.vdev);
    }
}

std::size_t close_vbds(xs::XenstoreClient& store, std::uint32_t domain,
                       std::chrono::milliseconds timeout) {
    const std::string root = vbd_backend_root(domain);
    auto devids = store.directory(root);
    if (!devids.ok())
        return 0;
    std::vector<std::string> waiting;
    for (const std::string& devid : devids.value()) {
        const std::string backend = root + "/" + devid;
        (void)store.write(backend + "/online", "0");
        auto state = store.read(backend + "/state");
        if (state.ok() && state.value() == kStateClosed)
            continue;
        (void)store.write(backend + "/state", kStateClosing);
        waiting.push_back(backend);
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!waiting.empty()) {
        std::erase_if(waiting, [&](const std::string& backend) {
            auto state = store.read(backend + "/state");
            return !state.ok() || state.value() == kStateClosed;
        });
        if (waiting.empty() || std::chrono::steady_clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(kPollInterval);
    }
    return waiting.size();
}

void remove_vbds(xs::XenstoreClient& store, std::uint32_t domain) {
    (void)store.remove(vbd_backend_root(domain));
}

}  // namespace tern::dom0
