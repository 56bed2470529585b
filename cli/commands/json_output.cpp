// Records as JSON objects; keys are the XenAPI field names where there is one.
#include "commands/json_output.hpp"

#include "commands/list_format.hpp"

namespace tern::cli {

nlohmann::json to_json(const VmRecord& vm) {
    bool live = vm.power_state == "Running" || vm.power_state == "Paused";
    nlohmann::json vcpus = nlohmann::json::array();
    std::int64_t count = live ? vm.vcpus_number : vm.vcpus_at_startup;
    for (std::int64_t i = 0; i < count; ++i) {
        auto used = vm.vcpus_utilisation.find(i);
        vcpus.push_back({{"vcpu", i},
                         {"affinity", vcpu_affinity(vm, i)},
                         {"utilisation", used == vm.vcpus_utilisation.end() ? 0.0 : used->second}});
    }
    return {{"name", vm.name},
            {"uuid", vm.uuid},
            {"domid", live ? nlohmann::json(vm.domid) : nlohmann::json(nullptr)},
            {"power_state", vm.power_state},
            {"state", state_column(vm)},
            {"memory_actual", vm.memory_actual},
            {"memory_static_max", vm.memory_static_max},
            {"memory_dynamic_max", vm.memory_dynamic_max},
            {"memory_dynamic_min", vm.memory_dynamic_min},
            {"VCPUs_max", vm.vcpus_max},
            {"VCPUs_number", count},
            {"VCPUs_params", vm.vcpus_params},
            {"vcpus", vcpus},
            {"cpu_time", cpu_seconds(vm)},
            {"start_time", vm.start_time},
            {"is_control_domain", vm.is_control_domain}};
}

nlohmann::json to_json(const VbdRecord& vbd) {
    return {{"uuid", vbd.uuid},
            {"device", vbd.device},
            {"mode", vbd.mode},
            {"type", vbd.type},
            {"bootable", vbd.bootable},
            {"currently_attached", vbd.currently_attached},
            {"VDI", vbd.vdi}};
}

nlohmann::json to_json(const VifRecord& vif) {
    return {{"uuid", vif.uuid},       {"device", vif.device},
            {"MAC", vif.mac},         {"MTU", vif.mtu},
            {"network", vif.network}, {"currently_attached", vif.currently_attached}};
}

nlohmann::json to_json(const VdiRecord& vdi) {
    return {{"uuid", vdi.uuid},
            {"name_label", vdi.name},
            {"SR", vdi.sr},
            {"type", vdi.type},
            {"virtual_size", vdi.virtual_size},
            {"physical_utilisation", vdi.physical_utilisation},
            {"sharable", vdi.sharable},
            {"read_only", vdi.read_only},
            {"location", vdi.location}};
}

nlohmann::json to_json(const SrRecord& sr) {
    return {{"uuid", sr.uuid},
            {"name_label", sr.name},
            {"type", sr.type},
            {"physical_size", sr.physical_size},
            {"physical_utilisation", sr.physical_utilisation},
            {"VDIs", sr.vdis.size()}};
}

nlohmann::json to_json(const HostRecord& host) {
    return {{"uuid", host.uuid},
            {"name_label", host.name},
            {"hostname", host.hostname},
            {"address", host.address},
            {"sched_policy", host.sched_policy},
            {"API_version",
             std::to_string(host.api_version_major) + "." + std::to_string(host.api_version_minor)},
            {"API_version_vendor", host.api_vendor},
            {"software_version", host.software_version},
            {"cpu_info", host.cpu_info},
            {"nr_cpus", host.cpu_count},
            {"memory_total", host.memory_total},
            {"memory_free", host.memory_free}};
}

}  // namespace tern::cli
