// xentop's columns: NAME STATE CPU(sec) CPU(%) MEM(k) MEM(%) MAXMEM(k) VCPUS.
#include "terminal/top_view.hpp"

#include <cstdio>

#include "commands/list_format.hpp"

namespace tern::cli {

std::vector<std::string> render_top(const HostRecord& host, const std::vector<VmRecord>& vms,
                                    const std::string& clock) {
    std::vector<std::string> lines;
    char text[512];
    int running = 0;
    for (const auto& vm : vms) {
        running += (vm.power_state == "Running" || vm.power_state == "Paused") ? 1 : 0;
    }
    std::snprintf(text, sizeof text, "xm top - %s   %s", clock.c_str(), host.hostname.c_str());
    lines.push_back(text);
    std::snprintf(text, sizeof text,
                  "%zu domains: %d running, %zu halted   Mem: %lldk total, %lldk used, %lldk free"
                  "   CPUs: %lld",
                  vms.size(), running, vms.size() - static_cast<std::size_t>(running),
                  static_cast<long long>(host.memory_total / 1024),
                  static_cast<long long>((host.memory_total - host.memory_free) / 1024),
                  static_cast<long long>(host.memory_free / 1024),
                  static_cast<long long>(host.cpu_count));
    lines.push_back(text);
    std::snprintf(text, sizeof text, "%18s %6s %10s %6s %10s %6s %10s %5s", "NAME", "STATE",
                  "CPU(sec)", "CPU(%)", "MEM(k)", "MEM(%)", "MAXMEM(k)", "VCPUS");
    lines.push_back(text);
    for (const auto& vm : vms) {
        bool live = vm.power_state == "Running" || vm.power_state == "Paused";
        double share = 0;
        for (const auto& [vcpu, used] : vm.vcpus_utilisation) {
            share += used * 100;
        }
        long long mem = live ? vm.memory_actual / 1024 : 0;
        double mem_share = host.memory_total > 0 ? 100.0 * static_cast<double>(mem * 1024) /
                                                       static_cast<double>(host.memory_total)
                                                 : 0;
        std::string name = vm.name.size() > 18 ? vm.name.substr(0, 18) : vm.name;
        std::snprintf(text, sizeof text, "%18s %6s %10.0f %6.1f %10lld %6.1f %10lld %5lld",
                      name.c_str(), state_column(vm).c_str(), cpu_seconds(vm), share, mem,
                      mem_share, static_cast<long long>(vm.memory_static_max / 1024),
                      static_cast<long long>(live ? vm.vcpus_number : vm.vcpus_at_startup));
        lines.push_back(text);
    }
    return lines;
}

}  // namespace tern::cli
