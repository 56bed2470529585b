// The host's own objects.
#include "api/host_inventory.hpp"

#include <sys/utsname.h>

#include <fstream>
#include <map>
#include <sstream>

#include "api/marshal.hpp"
#include "api/ref.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
        s.pop_back();
    std::size_t i = 0;
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
        ++i;
    return s.substr(i);
}

std::int64_t to_int(const std::string& s, int base = 10) {
    try {
        return static_cast<std::int64_t>(std::stoll(s, nullptr, base));
    } catch (...) {
        return 0;
    }
}

rpc::Value string_map(std::initializer_list<std::pair<const char*, std::string>> items) {
    rpc::Struct out;
    for (const auto& [k, v] : items)
        out.emplace(k, rpc::Value{v});
    return rpc::Value{std::move(out)};
}

}  // namespace

std::vector<CpuInfo> parse_cpuinfo(const std::string& text) {
    std::vector<CpuInfo> cpus;
    std::istringstream in(text);
    std::string line;
    CpuInfo* cur = nullptr;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        const std::string key = trim(line.substr(0, colon));
        const std::string value = trim(line.substr(colon + 1));
        if (key == "processor") {
            cpus.push_back(CpuInfo{});
            cur = &cpus.back();
            cur->number = static_cast<int>(to_int(value));
            continue;
        }
        if (cur == nullptr)
            continue;
        if (key == "vendor_id")
            cur->vendor = value;
        else if (key == "CPU implementer")
            cur->vendor = "arm-implementer-" + value;
        else if (key == "model name")
            cur->modelname = value;
        else if (key == "CPU part")
            cur->modelname = cur->modelname.empty() ? "part " + value : cur->modelname;
        else if (key == "stepping" || key == "CPU revision")
            cur->stepping = value;
        else if (key == "flags" || key == "Features")
            cur->flags = value;
        else if (key == "cpu MHz")
            cur->speed_mhz = static_cast<std::int64_t>(std::stod(value));
        else if (key == "cpu family" || key == "CPU architecture")
            cur->family = to_int(value);
        else if (key == "model" || key == "CPU variant")
            cur->model = to_int(value, 0);
    }
    return cpus;
}

MachineInfo read_machine_info() {
    MachineInfo m;
    struct utsname u {};
    if (uname(&u) == 0) {
        m.hostname = u.nodename;
        m.kernel_release = u.release;
        m.machine = u.machine;
    }
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::stringstream text;
    text << cpuinfo.rdbuf();
    m.cpus = parse_cpuinfo(text.str());
    m.nics = read_nics();
    std::ifstream meminfo("/proc/meminfo");
    std::string key;
    std::int64_t kib = 0;
    std::string unit;
    while (meminfo >> key >> kib >> unit) {
        if (key == "MemTotal:")
            m.memory_total = kib * 1024;
        if (key == "MemAvailable:")
            m.memory_free = kib * 1024;
    }
    return m;
}

std::string ensure_inventory(ApiState& state, const MachineInfo& machine) {
    ObjectStore& store = state.store;
    const int host_cls = store.class_index("host");
    const int metrics_cls = store.class_index("host_metrics");
    const int cpu_cls = store.class_index("host_cpu");
    const int pool_cls = store.class_index("pool");
    const int vm_cls = store.class_index("VM");
    const int vm_metrics_cls = store.class_index("VM_metrics");
    const auto now = format_datetime(state.clock());
    auto hosts = store.refs(host_cls);
    std::string host = hosts.empty() ? make_ref() : hosts.front();

    store.transact([&](Transaction& txn) {
        if (hosts.empty()) {
            const std::string metrics = make_ref();
            rpc::Struct m = new_record(store.class_desc(metrics_cls));
            txn.create(metrics_cls, metrics, std::move(m));
            rpc::Struct h = new_record(store.class_desc(host_cls));
            h["name_label"] = machine.hostname;
            h["metrics"] = metrics;
            txn.create(host_cls, host, std::move(h));
            rpc::Struct p = new_record(store.class_desc(pool_cls));
            p["master"] = host;
            p["default_SR"] = std::string(kNullRef);
            p["suspend_image_SR"] = std::string(kNullRef);
            p["crash_dump_SR"] = std::string(kNullRef);
            txn.create(pool_cls, make_ref(), std::move(p));
            // The control domain, by xend's convention uuid 0.
            const std::string dom0_metrics = make_ref();
            rpc::Struct dm = new_record(store.class_desc(vm_metrics_cls));
            dm["start_time"] = now;
            txn.create(vm_metrics_cls, dom0_metrics, std::move(dm));
            rpc::Struct d = new_record(store.class_desc(vm_cls));
            d["uuid"] = std::string("00000000-0000-0000-0000-000000000000");
            d["name_label"] = std::string("Domain-0");
            d["name_description"] = std::string("The control domain");
            d["power_state"] = std::string("Running");
            d["is_control_domain"] = true;
            d["domid"] = std::int64_t{0};
            d["resident_on"] = host;
            d["metrics"] = dom0_metrics;
            d["guest_metrics"] = std::string(kNullRef);
            d["suspend_VDI"] = std::string(kNullRef);
            d["snapshot_of"] = std::string(kNullRef);
            txn.create(vm_cls, make_ref(), std::move(d));
        }
        // What describes the machine is refreshed at every start.
        auto field = [&](int cls, const char* name) { return store.field_index(cls, name); };
        const rpc::Struct* h = txn.get(host_cls, host);
        const std::string metrics = h->at("metrics").as<std::string>();
        txn.set_field(host_cls, host, field(host_cls, "API_version_major"),
                      rpc::Value{std::int64_t{schema_api_version_major()}});
        txn.set_field(host_cls, host, field(host_cls, "API_version_minor"),
                      rpc::Value{std::int64_t{schema_api_version_minor()}});
        txn.set_field(host_cls, host, field(host_cls, "API_version_vendor"),
                      rpc::Value{schema_api_vendor()});
        txn.set_field(host_cls, host, field(host_cls, "hostname"), rpc::Value{machine.hostname});
        txn.set_field(host_cls, host, field(host_cls, "address"),
                      rpc::Value{std::string("127.0.0.1")});
        txn.set_field(host_cls, host, field(host_cls, "sched_policy"),
                      rpc::Value{std::string("credit")});
        txn.set_field(host_cls, host, field(host_cls, "software_version"),
                      string_map({{"product_brand", "Tern"},
                                  {"product_version", "0.1.0"},
                                  {"platform_name", "Tern"},
                                  {"platform_version", "0.1.0"},
                                  {"xapi", std::to_string(schema_api_version_major()) + "." +
                                               std::to_string(schema_api_version_minor())},
                                  {"xen", "4.17-compatible"},
                                  {"hostname", machine.hostname},
                                  {"linux", machine.kernel_release},
                                  {"machine", machine.machine}}));
        txn.set_field(host_cls, host, field(host_cls, "cpu_configuration"),
                      string_map({{"nr_cpus", std::to_string(machine.cpus.size())}}));
        txn.set_field(
            host_cls, host, field(host_cls, "cpu_info"),
            string_map({{"cpu_count", std::to_string(machine.cpus.size())},
                        {"vendor", machine.cpus.empty() ? "" : machine.cpus[0].vendor},
                        {"modelname", machine.cpus.empty() ? "" : machine.cpus[0].modelname}}));
        txn.set_field(metrics_cls, metrics, field(metrics_cls, "memory_total"),
                      rpc::Value{machine.memory_total});
        txn.set_field(metrics_cls, metrics, field(metrics_cls, "memory_free"),
                      rpc::Value{machine.memory_free});
        txn.set_field(metrics_cls, metrics, field(metrics_cls, "live"), rpc::Value{true});
        txn.set_field(metrics_cls, metrics, field(metrics_cls, "last_updated"), rpc::Value{now});
        // One host_cpu per CPU: existing objects keep their references; CPUs that went away
        // lose theirs.
        std::map<std::int64_t, std::string> existing;
        for (const std::string& ref : txn.refs(cpu_cls)) {
            existing[txn.get(cpu_cls, ref)->at("number").as<std::int64_t>()] = ref;
        }
        for (const CpuInfo& c : machine.cpus) {
            auto it = existing.find(c.number);
            const std::string ref = it != existing.end() ? it->second : make_ref();
            if (it == existing.end()) {
                rpc::Struct cpu = new_record(store.class_desc(cpu_cls));
                cpu["host"] = host;
                cpu["number"] = std::int64_t{c.number};
                txn.create(cpu_cls, ref, std::move(cpu));
            } else {
                existing.erase(it);
            }
            auto set = [&](const char* name, rpc::Value v) {
                txn.set_field(cpu_cls, ref, field(cpu_cls, name), std::move(v));
            };
            set("vendor", rpc::Value{c.vendor});
            set("modelname", rpc::Value{c.modelname});
            set("stepping", rpc::Value{c.stepping});
            set("flags", rpc::Value{c.flags});
            set("speed", rpc::Value{c.speed_mhz});
            set("family", rpc::Value{c.family});
            set("model", rpc::Value{c.model});
        }
        for (const auto& [number, ref] : existing)
            txn.destroy(cpu_cls, ref);
        ensure_pifs(txn, host, machine.nics);
    });
    return host;
}

}  // namespace tern::xapi
