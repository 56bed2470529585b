#include "dom0/builder/guest_vif.hpp"

#include <filesystem>
#include <stdexcept>
#include <thread>
#include <utility>

#include "dom0/builder/xenbus_device.hpp"

namespace tern::dom0 {

namespace {

namespace xs = xenstored;

constexpr std::chrono::milliseconds kPollInterval{100};

}  // namespace

std::string vif_backend_root(std::uint32_t domain) {
    return "/local/domain/0/backend/vif/" + std::to_string(domain);
}

std::string vif_backend_path(std::uint32_t domain, std::uint32_t devid) {
    return vif_backend_root(domain) + "/" + std::to_string(devid);
}

std::string vif_interface_name(std::uint32_t domain, std::uint32_t devid) {
    return "vif" + std::to_string(domain) + "." + std::to_string(devid);
}

void add_vifs_to_xenstore(xs::XenstoreClient& store, std::uint32_t domain,
                          std::vector<VifSpec>& vifs) {
    const xs::DomainId guest{domain};
    for (VifSpec& vif : vifs) {
        if (vif.mac.empty())
            vif.mac = default_vif_mac(domain, vif.devid);
        const std::string handle = std::to_string(vif.devid);
        const std::string backend = vif_backend_path(domain, vif.devid);
        const std::string frontend = xs::domain_path(guest) + "/device/vif/" + handle;
        const XenstoreEntries backend_entries = {
            {"frontend", frontend},
            {"frontend-id", std::to_string(domain)},
            {"online", "1"},
            {"script", "tern-vif-hotplug"},
            {"mac", vif.mac},
            {"bridge", vif.bridge},
            {"handle", handle},
            {"type", "vif"},
            {"state", kXenbusInitialising},
        };
        const XenstoreEntries frontend_entries = {
            {"backend", backend},
            {"backend-id", "0"},
            {"handle", handle},
            {"mac", vif.mac},
            {"state", kXenbusInitialising},
        };
        add_xenbus_device(store, domain, backend, backend_entries, frontend, frontend_entries,
                          "vif " + handle);
    }
}

std::size_t remove_vifs(xs::XenstoreClient& store, std::uint32_t domain,
                        std::chrono::milliseconds timeout) {
    const std::string root = vif_backend_root(domain);
    auto devids = store.directory(root);
    if (!devids.ok())
        return 0;
    std::vector<std::string> waiting;
    for (const std::string& devid : devids.value())
        waiting.push_back("/sys/class/net/vif" + std::to_string(domain) + "." + devid);
    (void)store.remove(root);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        std::erase_if(waiting, [](const std::string& path) {
            std::error_code error;
            return !std::filesystem::exists(path, error);
        });
        if (waiting.empty() || std::chrono::steady_clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(kPollInterval);
    }
    return waiting.size();
}

}  // namespace tern::dom0
