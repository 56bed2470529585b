#include "dom0/builder/guest_xenstore.hpp"

#include <stdexcept>
#include <vector>

namespace tern::dom0 {

namespace {

namespace xs = xenstored;

void check(const xs::XsStatus& status, const std::string& what) {
    if (!status.ok())
        throw std::runtime_error("xenstore: " + what + ": " +
                                 std::string(xs::error_name(status.error())));
}

}  // namespace

void introduce_to_xenstore(xs::XenstoreClient& store, const BuiltDomain& built,
                           const GuestConfig& config) {
    const xs::DomainId id{built.domain};
    const std::string home = xs::domain_path(id);
    const std::vector<xs::Permission> owned = {{id, xs::Access::kNone}};
    const std::string name =
        config.name.empty() ? "domain-" + std::to_string(built.domain) : config.name;
    std::vector<std::pair<std::string, std::string>> entries = {
        {"name", name},
        {"domid", std::to_string(built.domain)},
        // Its balloon reads both (KiB): the target relative to the ceiling, as xl writes them.
        {"memory/static-max", std::to_string(config.memory_mib * 1024)},
        {"memory/target", std::to_string(config.memory_mib * 1024)},
        {"console/ring-ref", std::to_string(built.console_gfn)},
        {"console/port", std::to_string(built.console_port)},
        {"console/type", "xenconsoled"},
        {"store/ring-ref", std::to_string(built.store_gfn)},
        {"store/port", std::to_string(built.store_port)},
    };
    // Its vCPU hotplug driver reads which vCPUs are online, as xl writes it.
    for (std::uint32_t cpu = 0; cpu < config.vcpus; ++cpu)
        entries.emplace_back("cpu/" + std::to_string(cpu) + "/availability", "online");
    check(store.mkdir(home), "mkdir " + home);
    check(store.set_permissions(home, owned), "set the permissions of " + home);
    for (const char* dir : {"device", "control", "data"}) {
        check(store.mkdir(home + "/" + dir), "mkdir " + home + "/" + dir);
        check(store.set_permissions(home + "/" + dir, owned), "set permissions");
    }
    for (const auto& [key, value] : entries) {
        check(store.write(home + "/" + key, value), "write " + home + "/" + key);
        check(store.set_permissions(home + "/" + key, owned), "set permissions");
    }
    check(store.introduce(id, built.store_gfn, built.store_port),
          "introduce domain " + std::to_string(built.domain));
}

void release_from_xenstore(xs::XenstoreClient& store, std::uint32_t domain) {
    const xs::DomainId id{domain};
    (void)store.release(id);  // it may never have been introduced
    (void)store.remove(xs::domain_path(id));
}

}  // namespace tern::dom0
