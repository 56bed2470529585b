// The writers of VM run-time state.
#include "lifecycle/vm_state_writer.hpp"

#include <chrono>
#include <cstdio>
#include <optional>

#include "api/ref.hpp"
#include "lifecycle/power_table.hpp"
#include "records_generated.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

void set(Transaction& txn, int cls, const std::string& ref, const char* field, rpc::Value v) {
    txn.set_field(cls, ref, txn.store().field_index(cls, field), std::move(v));
}

// The VM's metrics object, or "" when it has none.
std::string metrics_of(Transaction& txn, const std::string& vm) {
    const int cls = txn.store().class_index("VM");
    const rpc::Struct* record = txn.get(cls, vm);
    if (record == nullptr)
        return "";
    auto it = record->find("metrics");
    if (it == record->end() || !it->second.is<std::string>())
        return "";
    const std::string& ref = it->second.as<std::string>();
    const int mcls = txn.store().class_index("VM_metrics");
    return txn.get(mcls, ref) != nullptr ? ref : "";
}

std::string state_flag(DomainState state) {
    switch (state) {
        case DomainState::running:
            return "running";
        case DomainState::paused:
            return "paused";
        case DomainState::shutdown:
            return "shutdown";
        case DomainState::crashed:
            return "crashed";
    }
    return "";
}

// The domain's CPU time so far, in seconds, as the metrics' other_config:cpu_time (XenAPI has
// no field for it; `xm list` shows it as Time(s)); none removes the key.
void set_cpu_time(Transaction& txn, const std::string& metrics,
                  std::optional<std::chrono::nanoseconds> cpu_time) {
    const int cls = txn.store().class_index("VM_metrics");
    const rpc::Struct* record = txn.get(cls, metrics);
    if (record == nullptr)
        return;
    rpc::Struct other;
    if (auto it = record->find("other_config"); it != record->end() && it->second.is<rpc::Struct>())
        other = it->second.as<rpc::Struct>();
    if (cpu_time) {
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.3f",
                      std::chrono::duration<double>(*cpu_time).count());
        other.insert_or_assign("cpu_time", rpc::Value{std::string(seconds)});
    } else if (other.erase("cpu_time") == 0) {
        return;
    }
    set(txn, cls, metrics, "other_config", rpc::Value{std::move(other)});
}

// Marks the VM's VBDs and VIFs plugged (or not) with its domain.
void set_devices_attached(Transaction& txn, const std::string& vm, bool attached) {
    const int cls = txn.store().class_index("VM");
    const rpc::Struct* record = txn.get(cls, vm);
    if (record == nullptr)
        return;
    for (const char* kind : {"VBD", "VIF"}) {
        auto it = record->find(std::string(kind) + "s");
        if (it == record->end() || !it->second.is<rpc::Array>())
            continue;
        const rpc::Array devices = it->second.as<rpc::Array>();
        const int dcls = txn.store().class_index(kind);
        for (const rpc::Value& d : devices) {
            if (d.is<std::string>() && txn.get(dcls, d.as<std::string>()) != nullptr)
                set(txn, dcls, d.as<std::string>(), "currently_attached", rpc::Value{attached});
        }
    }
}

}  // namespace

void record_domain_figures(Transaction& txn, const std::string& vm, const DomainInfo& domain,
                           const rpc::DateTime& now) {
    const std::string metrics = metrics_of(txn, vm);
    if (metrics.empty())
        return;
    const int cls = txn.store().class_index("VM_metrics");
    rpc::Struct utilisation;
    rpc::Struct flags;
    for (std::size_t i = 0; i < domain.vcpu_utilisation.size(); ++i) {
        utilisation.emplace(std::to_string(i), rpc::Value{domain.vcpu_utilisation[i]});
        rpc::Array f{rpc::Value{"online"}};
        if (domain.state == DomainState::running)
            f.emplace_back("running");
        flags.emplace(std::to_string(i), rpc::Value{std::move(f)});
    }
    set(txn, cls, metrics, "memory_actual", rpc::Value{domain.memory_actual});
    set(txn, cls, metrics, "VCPUs_number", rpc::Value{domain.vcpus_online});
    set(txn, cls, metrics, "VCPUs_utilisation", rpc::Value{std::move(utilisation)});
    set(txn, cls, metrics, "VCPUs_flags", rpc::Value{std::move(flags)});
    set(txn, cls, metrics, "state", rpc::Value{rpc::Array{rpc::Value{state_flag(domain.state)}}});
    set_cpu_time(txn, metrics, std::optional<std::chrono::nanoseconds>(domain.cpu_time));
    set(txn, cls, metrics, "last_updated", rpc::Value{now});
}

void record_domain(Transaction& txn, const std::string& vm, const DomainInfo& domain,
                   const std::string& host, const rpc::DateTime& now, bool new_boot) {
    const int cls = txn.store().class_index("VM");
    const VmPowerState power =
        domain.state == DomainState::running ? VmPowerState::Running : VmPowerState::Paused;
    set(txn, cls, vm, "power_state", to_canonical(power));
    set(txn, cls, vm, "domid", rpc::Value{std::int64_t{domain.id.value}});
    set(txn, cls, vm, "resident_on", rpc::Value{host});
    set(txn, cls, vm, "memory_target", rpc::Value{domain.memory_actual});
    record_domain_figures(txn, vm, domain, now);
    set_devices_attached(txn, vm, true);
    if (new_boot) {
        const std::string metrics = metrics_of(txn, vm);
        if (!metrics.empty()) {
            set(txn, txn.store().class_index("VM_metrics"), metrics, "start_time", rpc::Value{now});
        }
    }
    refresh_allowed_operations(txn, vm);
}

void record_no_domain(Transaction& txn, const std::string& vm, bool suspended,
                      const rpc::DateTime& now) {
    const int cls = txn.store().class_index("VM");
    if (txn.get(cls, vm) == nullptr)
        return;
    set(txn, cls, vm, "power_state",
        to_canonical(suspended ? VmPowerState::Suspended : VmPowerState::Halted));
    set(txn, cls, vm, "domid", rpc::Value{std::int64_t{-1}});
    set(txn, cls, vm, "resident_on", rpc::Value{std::string(kNullRef)});
    set(txn, cls, vm, "memory_target", rpc::Value{std::int64_t{0}});
    set_devices_attached(txn, vm, false);
    const std::string metrics = metrics_of(txn, vm);
    if (!metrics.empty()) {
        const int mcls = txn.store().class_index("VM_metrics");
        set(txn, mcls, metrics, "memory_actual", rpc::Value{std::int64_t{0}});
        set(txn, mcls, metrics, "VCPUs_number", rpc::Value{std::int64_t{0}});
        set(txn, mcls, metrics, "VCPUs_utilisation", rpc::Value{rpc::Struct{}});
        set(txn, mcls, metrics, "VCPUs_flags", rpc::Value{rpc::Struct{}});
        set(txn, mcls, metrics, "state", rpc::Value{rpc::Array{}});
        set_cpu_time(txn, metrics, std::nullopt);
        set(txn, mcls, metrics, "last_updated", rpc::Value{now});
    }
    refresh_allowed_operations(txn, vm);
}

void record_host_metrics(Transaction& txn, const std::string& host, const HostInfo& info,
                         const rpc::DateTime& now) {
    const int hcls = txn.store().class_index("host");
    const rpc::Struct* record = txn.get(hcls, host);
    if (record == nullptr)
        return;
    auto it = record->find("metrics");
    if (it == record->end() || !it->second.is<std::string>())
        return;
    const std::string& metrics = it->second.as<std::string>();
    const int cls = txn.store().class_index("host_metrics");
    if (txn.get(cls, metrics) == nullptr)
        return;
    set(txn, cls, metrics, "memory_total", rpc::Value{info.memory_total});
    set(txn, cls, metrics, "memory_free", rpc::Value{info.memory_free});
    set(txn, cls, metrics, "live", rpc::Value{true});
    set(txn, cls, metrics, "last_updated", rpc::Value{now});
}

}  // namespace tern::xapi
