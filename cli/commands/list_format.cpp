// Fixed-width columns with printf formats, as xm's Python did.
#include "commands/list_format.hpp"

#include <cstdio>

namespace tern::cli {
namespace {

bool has_flag(const VmRecord& vm, const std::string& flag) {
    for (const auto& f : vm.state_flags) {
        if (f == flag) {
            return true;
        }
    }
    return false;
}

template <typename... Args>
std::string format(const char* pattern, Args... args) {
    char buffer[512];
    std::snprintf(buffer, sizeof buffer, pattern, args...);
    return buffer;
}

bool is_live(const VmRecord& vm) {
    return vm.power_state == "Running" || vm.power_state == "Paused";
}

}  // namespace

std::string state_column(const VmRecord& vm) {
    std::string column = "------";
    if (!is_live(vm)) {
        return column;
    }
    const char* flags[] = {"running", "blocked", "paused", "shutdown", "crashed", "dying"};
    for (int i = 0; i < 6; ++i) {
        if (has_flag(vm, flags[i])) {
            column[i] = "rbpscd"[i];
        }
    }
    if (vm.power_state == "Paused") {
        column[2] = 'p';
    }
    return column;
}

double cpu_seconds(const VmRecord& vm) {
    if (vm.cpu_time) {
        return *vm.cpu_time;
    }
    double total = 0;
    for (const auto& [vcpu, utilisation] : vm.vcpus_utilisation) {
        total += utilisation;
    }
    return total;
}

std::string list_header(bool with_label) {
    std::string header =
        format("%-40s %3s %5s %5s %10s %9s", "Name", "ID", "Mem", "VCPUs", "State", "Time(s)");
    if (with_label) {
        header += format(" %10s", "Label");
    }
    return header;
}

std::string list_row(const VmRecord& vm, bool with_label) {
    bool live = is_live(vm);
    std::string domid = live ? std::to_string(vm.domid) : "";
    long long mem = (live ? vm.memory_actual : vm.memory_dynamic_max) / (1024 * 1024);
    long long vcpus = live ? vm.vcpus_number : vm.vcpus_at_startup;
    std::string row = format("%-40s %3s %5lld %5lld %10s %8.1f", vm.name.c_str(), domid.c_str(),
                             mem, vcpus, state_column(vm).c_str(), cpu_seconds(vm));
    if (with_label) {
        auto label = vm.other_config.find("security_label");
        row += format(" %10s", label == vm.other_config.end() ? "INACTIVE" : label->second.c_str());
    }
    return row;
}

std::string vcpu_list_header() {
    return format("%-32s %5s %5s %5s %5s %9s %s", "Name", "ID", "VCPU", "CPU", "State", "Time(s)",
                  "CPU Affinity");
}

std::string vcpu_affinity(const VmRecord& vm, std::int64_t vcpu) {
    auto found = vm.vcpus_params.find("cpumap" + std::to_string(vcpu));
    if (found == vm.vcpus_params.end() || found->second.empty()) {
        return "any cpu";
    }
    return found->second;
}

std::string vcpu_list_rows(const VmRecord& vm) {
    std::string rows;
    bool live = is_live(vm);
    std::int64_t count = live ? vm.vcpus_number : vm.vcpus_at_startup;
    for (std::int64_t vcpu = 0; vcpu < count; ++vcpu) {
        std::string cpu = "-";
        std::string state = "---";
        double time = 0;
        if (live) {
            auto on = vm.vcpus_cpu.find(vcpu);
            cpu = on == vm.vcpus_cpu.end() ? "-" : std::to_string(on->second);
            state = vm.power_state == "Paused" ? "--p" : (has_flag(vm, "running") ? "r--" : "-b-");
            auto used = vm.vcpus_utilisation.find(vcpu);
            time = used == vm.vcpus_utilisation.end() ? 0 : used->second;
        }
        std::string domid = live ? std::to_string(vm.domid) : "-";
        rows += format("%-32s %5s %5lld %5s %5s %9.1f %s\n", vm.name.c_str(), domid.c_str(),
                       static_cast<long long>(vcpu), cpu.c_str(), state.c_str(), time,
                       vcpu_affinity(vm, vcpu).c_str());
    }
    return rows;
}

std::optional<std::time_t> parse_api_time(const std::string& text) {
    std::tm parts{};
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (std::sscanf(text.c_str(), "%4d%2d%2dT%d:%d:%d", &year, &month, &day, &hour, &minute,
                    &second) != 6 &&
        std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &year, &month, &day, &hour, &minute,
                    &second) != 6) {
        return std::nullopt;
    }
    parts.tm_year = year - 1900;
    parts.tm_mon = month - 1;
    parts.tm_mday = day;
    parts.tm_hour = hour;
    parts.tm_min = minute;
    parts.tm_sec = second;
    if (year < 1971) {
        return std::nullopt;
    }
    return timegm(&parts);
}

std::string format_uptime(std::int64_t seconds) {
    if (seconds < 0) {
        seconds = 0;
    }
    std::int64_t days = seconds / 86400;
    std::string text;
    if (days > 0) {
        text = std::to_string(days) + (days == 1 ? " day, " : " days, ");
    }
    seconds %= 86400;
    return text + format("%lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
                         static_cast<long long>(seconds / 60 % 60),
                         static_cast<long long>(seconds % 60));
}

}  // namespace tern::cli
