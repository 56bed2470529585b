// info, dmesg, log, dump-core.
#include <cstdio>

#include "commands/domain_lookup.hpp"
#include "commands/handlers.hpp"
#include "commands/json_output.hpp"

namespace tern::cli {
namespace {

void line(std::ostream& out, const std::string& key, const std::string& value) {
    char text[1024];
    std::snprintf(text, sizeof text, "%-23s: %s\n", key.c_str(), value.c_str());
    out << text;
}

std::string get(const StringMap& map, const std::string& key) {
    auto found = map.find(key);
    return found == map.end() ? "" : found->second;
}

}  // namespace

int run_info(Invocation& invocation) {
    HostRecord host = invocation.api().host();
    auto& out = invocation.out();
    if (invocation.has("json")) {
        out << to_json(host).dump(2) << "\n";
        return 0;
    }
    constexpr std::int64_t kMiB = 1024 * 1024;
    line(out, "host", host.hostname);
    line(out, "name", host.name);
    line(out, "uuid", host.uuid);
    line(out, "address", host.address);
    line(out, "cpu_model", get(host.cpu_info, "vendor") + " " + get(host.cpu_info, "modelname"));
    line(out, "nr_cpus", std::to_string(host.cpu_count));
    line(out, "total_memory", std::to_string(host.memory_total / kMiB));
    line(out, "free_memory", std::to_string(host.memory_free / kMiB));
    line(out, "xen_scheduler", host.sched_policy);
    std::string capabilities;
    for (const auto& capability : host.capabilities) {
        capabilities += (capabilities.empty() ? "" : " ") + capability;
    }
    line(out, "xen_caps", capabilities);
    line(out, "xen_api_version",
         std::to_string(host.api_version_major) + "." + std::to_string(host.api_version_minor));
    line(out, "xen_api_vendor", host.api_vendor);
    for (const auto& [key, value] : host.software_version) {
        line(out, key, value);
    }
    return 0;
}

int run_dmesg(Invocation& invocation) {
    invocation.out() << invocation.api().host_dmesg(invocation.has("clear"));
    return 0;
}

int run_log(Invocation& invocation) {
    invocation.out() << invocation.api().host_log();
    return 0;
}

int run_dump_core(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    std::string file =
        invocation.args.size() > 1 ? invocation.args[1] : "/var/lib/xen/dump/" + vm.name + ".core";
    invocation.api().vm_dump_core(vm.ref, file, invocation.has("live"), invocation.has("crash"));
    return 0;
}

}  // namespace tern::cli
