// mem-set, mem-max, vcpu-set, vcpu-pin, sched-credit, rename.
#include <cstdio>

#include "commands/domain_lookup.hpp"
#include "commands/handlers.hpp"
#include "commands/json_output.hpp"

namespace tern::cli {
namespace {

constexpr std::int64_t kMiB = 1024 * 1024;

// "0-3,^2" style lists, checked for shape: digits, ranges, exclusions, commas.
bool is_cpu_list(const std::string& text) {
    if (text.empty()) {
        return false;
    }
    for (char c : text) {
        if (!std::isdigit(static_cast<unsigned char>(c)) && c != ',' && c != '-' && c != '^') {
            return false;
        }
    }
    return true;
}

void print_credit_header(std::ostream& out) {
    char line[128];
    std::snprintf(line, sizeof line, "%-33s %4s %6s %4s\n", "Name", "ID", "Weight", "Cap");
    out << line;
}

void print_credit(std::ostream& out, const VmRecord& vm) {
    auto get = [&](const char* key, const char* fallback) {
        auto found = vm.vcpus_params.find(key);
        return found == vm.vcpus_params.end() ? std::string(fallback) : found->second;
    };
    char line[256];
    std::snprintf(line, sizeof line, "%-33s %4s %6s %4s\n", vm.name.c_str(),
                  is_running(vm) ? std::to_string(vm.domid).c_str() : "-",
                  get("weight", "256").c_str(), get("cap", "0").c_str());
    out << line;
}

}  // namespace

int run_mem_set(Invocation& invocation) {
    auto mib = parse_count(invocation.args[1], "the memory size (MiB)");
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    invocation.api().vm_set_memory_dynamic_live(vm.ref, mib * kMiB);
    return 0;
}

int run_mem_max(Invocation& invocation) {
    auto mib = parse_count(invocation.args[1], "the memory size (MiB)");
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    invocation.api().vm_set_memory_static_max(vm.ref, mib * kMiB);
    return 0;
}

int run_vcpu_set(Invocation& invocation) {
    auto count = parse_count(invocation.args[1], "the number of vCPUs");
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    invocation.api().vm_set_vcpus_live(vm.ref, count);
    return 0;
}

int run_vcpu_pin(Invocation& invocation) {
    std::string cpus = invocation.args[2] == "all" ? "" : invocation.args[2];
    if (!cpus.empty() && !is_cpu_list(cpus)) {
        throw UsageError("CPUs must be 'all' or a list like 0-3,^2, not '" + cpus + "'");
    }
    if (invocation.args[1] != "all") {
        parse_count(invocation.args[1], "the vCPU");
    }
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    std::vector<std::int64_t> vcpus;
    if (invocation.args[1] == "all") {
        for (std::int64_t i = 0; i < std::max(vm.vcpus_max, std::int64_t{1}); ++i) {
            vcpus.push_back(i);
        }
    } else {
        vcpus.push_back(parse_count(invocation.args[1], "the vCPU"));
    }
    for (auto vcpu : vcpus) {
        invocation.api().vm_add_vcpus_param_live(vm.ref, "cpumap" + std::to_string(vcpu), cpus);
    }
    return 0;
}

int run_sched_credit(Invocation& invocation) {
    bool setting = invocation.has("weight") || invocation.has("cap");
    if (setting && !invocation.has("domain")) {
        throw UsageError("-w and -c need a domain (-d)");
    }
    if (!setting) {
        std::vector<VmRecord> vms;
        if (invocation.has("domain")) {
            vms.push_back(resolve_domain(invocation.api(), invocation.value("domain")));
        } else {
            vms = domains(invocation.api());
        }
        if (invocation.has("json")) {
            nlohmann::json all = nlohmann::json::array();
            for (const auto& vm : vms) {
                auto weight = vm.vcpus_params.find("weight");
                auto cap = vm.vcpus_params.find("cap");
                all.push_back(
                    {{"name", vm.name},
                     {"weight", weight == vm.vcpus_params.end() ? 256 : std::stoll(weight->second)},
                     {"cap", cap == vm.vcpus_params.end() ? 0 : std::stoll(cap->second)}});
            }
            invocation.out() << all.dump(2) << "\n";
            return 0;
        }
        print_credit_header(invocation.out());
        for (const auto& vm : vms) {
            print_credit(invocation.out(), vm);
        }
        return 0;
    }
    auto vm = resolve_domain(invocation.api(), invocation.value("domain"));
    if (invocation.has("weight")) {
        auto weight = parse_count(invocation.value("weight"), "the weight");
        if (weight < 1 || weight > 65535) {
            throw UsageError("the weight must be between 1 and 65535");
        }
        invocation.api().vm_add_vcpus_param_live(vm.ref, "weight", std::to_string(weight));
    }
    if (invocation.has("cap")) {
        auto cap = parse_count(invocation.value("cap"), "the cap");
        invocation.api().vm_add_vcpus_param_live(vm.ref, "cap", std::to_string(cap));
    }
    return 0;
}

int run_rename(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    invocation.api().vm_set_name(vm.ref, invocation.args[1]);
    return 0;
}

}  // namespace tern::cli
