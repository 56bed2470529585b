// Domain resolution as xm did it: name first, then numeric domain id, then uuid.
#include "commands/domain_lookup.hpp"

#include <algorithm>
#include <cctype>

#include "command.hpp"

namespace tern::cli {

std::vector<VmRecord> domains(XenApi& api) {
    std::vector<VmRecord> result;
    for (auto& vm : api.vms()) {
        if (!vm.is_a_template) {
            result.push_back(std::move(vm));
        }
    }
    // As xm listed them: live domains by id, then the halted ones by name.
    std::stable_sort(result.begin(), result.end(), [](const VmRecord& a, const VmRecord& b) {
        bool a_live = is_running(a);
        bool b_live = is_running(b);
        if (a_live != b_live) {
            return a_live;
        }
        return a_live ? a.domid < b.domid : a.name < b.name;
    });
    return result;
}

VmRecord resolve_domain(XenApi& api, const std::string& name) {
    auto all = domains(api);
    for (const auto& vm : all) {
        if (vm.name == name) {
            return vm;
        }
    }
    bool numeric = !name.empty() && name.size() < 10 &&
                   std::all_of(name.begin(), name.end(),
                               [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
    if (numeric) {
        for (const auto& vm : all) {
            if (vm.domid == std::stoll(name) && vm.power_state != "Halted") {
                return vm;
            }
        }
    }
    for (const auto& vm : all) {
        if (vm.uuid == name) {
            return vm;
        }
    }
    throw CommandError("Domain '" + name + "' does not exist.");
}

std::int64_t parse_count(const std::string& text, const std::string& what) {
    if (text.empty() || text.size() > 15 || !std::all_of(text.begin(), text.end(), [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
        })) {
        throw UsageError(what + " must be a whole number, not '" + text + "'");
    }
    return std::stoll(text);
}

std::int64_t parse_size(const std::string& text) {
    std::string digits = text;
    std::int64_t unit = 1;
    if (!digits.empty()) {
        switch (std::toupper(static_cast<unsigned char>(digits.back()))) {
            case 'K':
                unit = 1LL << 10;
                break;
            case 'M':
                unit = 1LL << 20;
                break;
            case 'G':
                unit = 1LL << 30;
                break;
            case 'T':
                unit = 1LL << 40;
                break;
            default:
                break;
        }
        if (unit != 1) {
            digits.pop_back();
        }
    }
    return parse_count(digits, "the size") * unit;
}

bool is_running(const VmRecord& vm) {
    return vm.power_state == "Running" || vm.power_state == "Paused";
}

}  // namespace tern::cli
