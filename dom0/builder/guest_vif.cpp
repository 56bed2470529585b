#include "dom0/builder/guest_vif.hpp"

#include <filesystem>
#include <stdexcept>
#include <thread>
#include <utility>

namespace tern::dom0 {

namespace {

namespace xs = xenstored;

constexpr const char* kStateInitialising = "1";
constexpr std::chrono::milliseconds kPollInterval{100};

void check(const xs::XsStatus& status, const std::string& what) {
    if (!status.ok())
        throw std::runtime_error("xenstore: " + what + ": " +
                                 std::string(xs::error_name(status.error())));
}

using Entries = std::vector<std::pair<std::string, std::string>>;

void write_directory(xs::XenstoreClient& store, std::uint32_t tx, const std::string& dir,
                     const Entries& entries, const std::vector<xs::Permission>& permissions) {
    check(store.mkdir(dir, tx), "mkdir " + dir);
    check(store.set_permissions(dir, permissions, tx), "set the permissions of " + dir);
    for (const auto& [key, value] : entries) {
        const std::string path = dir + "/" + key;
        check(store.write(path, value, tx), "write " + path);
        check(store.set_permissions(path, permissions, tx), "set the permissions of " + path);
    }
}

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
    const std::vector<xs::Permission> backend_permissions = {{xs::kDom0, xs::Access::kNone},
                                                             {guest, xs::Access::kRead}};
    const std::vector<xs::Permission> frontend_permissions = {{guest, xs::Access::kNone},
                                                              {xs::kDom0, xs::Access::kRead}};
    for (VifSpec& vif : vifs) {
        if (vif.mac.empty())
            vif.mac = default_vif_mac(domain, vif.devid);
        const std::string handle = std::to_string(vif.devid);
        const std::string backend = vif_backend_path(domain, vif.devid);
        const std::string frontend = xs::domain_path(guest) + "/device/vif/" + handle;
        const Entries backend_entries = {
            {"frontend", frontend},
            {"frontend-id", std::to_string(domain)},
            {"online", "1"},
            {"script", "tern-vif-hotplug"},
            {"mac", vif.mac},
            {"bridge", vif.bridge},
            {"handle", handle},
            {"type", "vif"},
            {"state", kStateInitialising},
        };
        const Entries frontend_entries = {
            {"backend", backend}, {"backend-id", "0"},           {"handle", handle},
            {"mac", vif.mac},     {"state", kStateInitialising},
        };
        for (;;) {
            auto tx = store.transaction_start();
            if (!tx.ok())
                check(xs::XsStatus(tx.error()), "start a transaction");
            try {
                write_directory(store, tx.value(), backend, backend_entries, backend_permissions);
                write_directory(store, tx.value(), frontend, frontend_entries,
                                frontend_permissions);
            } catch (const std::runtime_error&) {
                (void)store.transaction_end(tx.value(), false);
                throw;
            }
            const auto committed = store.transaction_end(tx.value(), true);
            if (committed.ok())
                break;
            if (committed.error() != xs::XsError::kEAGAIN)
                check(committed, "commit the entries of vif " + handle);
        }
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
