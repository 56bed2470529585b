// create, new, delete: VMs from config files, and their removal.
#include <vector>

#include "commands/domain_lookup.hpp"
#include "commands/handlers.hpp"
#include "commands/vm_builder.hpp"
#include "config/config_file.hpp"

namespace tern::cli {

int run_console(Invocation&);

namespace {

std::vector<VmConfig> read_config(Invocation& invocation) {
    std::vector<std::string> overrides(invocation.args.begin() + 1, invocation.args.end());
    for (const auto& setting : overrides) {
        if (setting.find('=') == std::string::npos) {
            throw UsageError("expected name=value after the config file, found '" + setting + "'");
        }
    }
    auto configs = load_config_file(invocation.args[0], overrides);
    if (!configs) {
        throw CommandError(configs.error().to_string());
    }
    return configs.value();
}

bool dry_run(Invocation& invocation, const std::vector<VmConfig>& configs) {
    if (!invocation.has("dryrun")) {
        return false;
    }
    for (const auto& config : configs) {
        print_vm_config(invocation.out(), config);
    }
    return true;
}

}  // namespace

int run_create(Invocation& invocation) {
    auto configs = read_config(invocation);
    if (dry_run(invocation, configs)) {
        return 0;
    }
    XenApi& api = invocation.api();
    for (const auto& config : configs) {
        std::string vm = build_vm(api, config, true);
        try {
            api.vm_operation(
                vm, invocation.has("paused") ? VmOperation::kStartPaused : VmOperation::kStart);
        } catch (...) {
            try {
                remove_vm(api, api.vm(vm));
            } catch (const std::exception&) {
                // The start failure is the one to report.
            }
            throw;
        }
        invocation.out() << "Started domain " << config.name << "\n";
    }
    if (invocation.has("console")) {
        invocation.args = {configs.front().name};
        return run_console(invocation);
    }
    return 0;
}

int run_new(Invocation& invocation) {
    auto configs = read_config(invocation);
    if (dry_run(invocation, configs)) {
        return 0;
    }
    for (const auto& config : configs) {
        build_vm(invocation.api(), config, false);
        invocation.out() << "Defined domain " << config.name << "\n";
    }
    return 0;
}

int run_delete(Invocation& invocation) {
    auto vm = resolve_domain(invocation.api(), invocation.args[0]);
    remove_vm(invocation.api(), vm);
    return 0;
}

}  // namespace tern::cli
