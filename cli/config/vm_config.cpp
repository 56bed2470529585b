// VmConfig's derived values.
#include "config/vm_config.hpp"

namespace tern::cli {

std::string VmConfig::kernel_args() const {
    std::string args;
    if (!root.empty()) {
        args = "root=" + root;
    }
    if (!extra.empty()) {
        if (!args.empty()) {
            args += ' ';
        }
        args += extra;
    }
    return args;
}

std::map<std::string, std::string> VmConfig::api_vcpu_params() const {
    auto params = vcpu_params;
    if (cpu_weight) {
        params["weight"] = std::to_string(*cpu_weight);
    }
    if (cpu_cap) {
        params["cap"] = std::to_string(*cpu_cap);
    }
    if (!cpus.empty()) {
        for (std::int64_t vcpu = 0; vcpu < vcpus_max; ++vcpu) {
            params["cpumap" + std::to_string(vcpu)] = cpus;
        }
    }
    return params;
}

}  // namespace tern::cli
