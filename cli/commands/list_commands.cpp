// list, vcpu-list, uptime, domid, domname: the commands that only read domains.
#include <ctime>
#include <iostream>

#include "commands/domain_lookup.hpp"
#include "commands/handlers.hpp"
#include "commands/json_output.hpp"
#include "commands/list_format.hpp"

namespace tern::cli {
namespace {

// The domains the arguments name, or all of them.
std::vector<VmRecord> selected(Invocation& invocation) {
    if (invocation.args.empty()) {
        return domains(invocation.api());
    }
    std::vector<VmRecord> chosen;
    for (const auto& name : invocation.args) {
        chosen.push_back(resolve_domain(invocation.api(), name));
    }
    return chosen;
}

std::string lower(std::string text) {
    for (auto& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

void print_long(std::ostream& out, const VmRecord& vm) {
    out << "(domain\n";
    out << "    (domid " << (is_running(vm) ? std::to_string(vm.domid) : "-") << ")\n";
    out << "    (uuid " << vm.uuid << ")\n";
    out << "    (name " << vm.name << ")\n";
    out << "    (power_state " << vm.power_state << ")\n";
    out << "    (state " << state_column(vm) << ")\n";
    out << "    (memory " << vm.memory_dynamic_max / (1024 * 1024) << ")\n";
    out << "    (maxmem " << vm.memory_static_max / (1024 * 1024) << ")\n";
    out << "    (memory_actual " << vm.memory_actual / (1024 * 1024) << ")\n";
    out << "    (vcpus " << vm.vcpus_max << ")\n";
    out << "    (online_vcpus " << (is_running(vm) ? vm.vcpus_number : 0) << ")\n";
    out << "    (on_poweroff " << vm.actions_after_shutdown << ")\n";
    out << "    (on_reboot " << vm.actions_after_reboot << ")\n";
    out << "    (on_crash " << vm.actions_after_crash << ")\n";
    out << "    (kernel " << vm.pv_kernel << ")\n";
    out << "    (args '" << vm.pv_args << "')\n";
    for (const auto& [key, value] : vm.vcpus_params) {
        out << "    (vcpus_params " << key << " " << value << ")\n";
    }
    out << "    (start_time " << vm.start_time << ")\n";
    out << ")\n";
}

}  // namespace

int run_list(Invocation& invocation) {
    auto vms = selected(invocation);
    if (invocation.has("state")) {
        std::string wanted = lower(invocation.value("state"));
        std::erase_if(vms, [&](const VmRecord& vm) { return lower(vm.power_state) != wanted; });
    }
    auto& out = invocation.out();
    if (invocation.has("names")) {
        for (const auto& vm : vms) {
            out << vm.name << "\n";
        }
        return 0;
    }
    if (invocation.has("json")) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& vm : vms) {
            all.push_back(to_json(vm));
        }
        out << all.dump(2) << "\n";
        return 0;
    }
    if (invocation.has("long")) {
        for (const auto& vm : vms) {
            print_long(out, vm);
        }
        return 0;
    }
    bool label = invocation.has("label");
    out << list_header(label) << "\n";
    for (const auto& vm : vms) {
        out << list_row(vm, label) << "\n";
    }
    return 0;
}

int run_vcpu_list(Invocation& invocation) {
    auto vms = selected(invocation);
    auto& out = invocation.out();
    if (invocation.has("json")) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& vm : vms) {
            all.push_back({{"name", vm.name}, {"vcpus", to_json(vm)["vcpus"]}});
        }
        out << all.dump(2) << "\n";
        return 0;
    }
    out << vcpu_list_header() << "\n";
    for (const auto& vm : vms) {
        out << vcpu_list_rows(vm);
    }
    return 0;
}

int run_uptime(Invocation& invocation) {
    auto vms = selected(invocation);
    std::erase_if(vms, [](const VmRecord& vm) { return !is_running(vm); });
    auto now = std::time(nullptr);
    auto& out = invocation.out();
    auto uptime_of = [&](const VmRecord& vm) -> std::int64_t {
        auto started = parse_api_time(vm.start_time);
        return started ? static_cast<std::int64_t>(now - *started) : 0;
    };
    if (invocation.has("json")) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& vm : vms) {
            all.push_back({{"name", vm.name}, {"domid", vm.domid}, {"uptime", uptime_of(vm)}});
        }
        out << all.dump(2) << "\n";
        return 0;
    }
    char line[256];
    if (!invocation.has("short")) {
        std::snprintf(line, sizeof line, "%-33s %4s %s\n", "Name", "ID", "Uptime");
        out << line;
    }
    for (const auto& vm : vms) {
        std::string uptime = format_uptime(uptime_of(vm));
        if (invocation.has("short")) {
            char clock[16];
            std::tm parts{};
            localtime_r(&now, &parts);
            std::strftime(clock, sizeof clock, "%H:%M:%S", &parts);
            std::snprintf(line, sizeof line, "%s up %s, %s (%lld)\n", clock, uptime.c_str(),
                          vm.name.c_str(), static_cast<long long>(vm.domid));
        } else {
            std::snprintf(line, sizeof line, "%-33s %4lld %s\n", vm.name.c_str(),
                          static_cast<long long>(vm.domid), uptime.c_str());
        }
        out << line;
    }
    return 0;
}

int run_domid(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    if (!is_running(vm)) {
        invocation.out() << "None\n";
        return 0;
    }
    invocation.out() << vm.domid << "\n";
    return 0;
}

int run_domname(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    invocation.out() << vm.name << "\n";
    return 0;
}

}  // namespace tern::cli
