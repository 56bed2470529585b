// The host's PIFs.
#include "api/pif_inventory.hpp"

#include <algorithm>
#include <fstream>
#include <map>

#include "api/marshal.hpp"
#include "api/ref.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

std::string first_line(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

std::vector<NicInfo> read_nics(const std::filesystem::path& sys_class_net) {
    std::vector<NicInfo> out;
    std::error_code error;
    for (const auto& entry : std::filesystem::directory_iterator(sys_class_net, error)) {
        // Physical interfaces have a device behind them; lo, bridges and vifs do not.
        if (!std::filesystem::exists(entry.path() / "device"))
            continue;
        NicInfo nic;
        nic.device = entry.path().filename().string();
        nic.mac = first_line(entry.path() / "address");
        try {
            nic.mtu = std::stoll(first_line(entry.path() / "mtu"));
        } catch (const std::exception&) {
            nic.mtu = 1500;
        }
        nic.up = first_line(entry.path() / "operstate") == "up";
        out.push_back(std::move(nic));
    }
    std::sort(out.begin(), out.end(),
              [](const NicInfo& a, const NicInfo& b) { return a.device < b.device; });
    return out;
}

std::string bridge_of(const std::string& device) {
    if (device.starts_with("eth") && device.size() > 3 &&
        std::all_of(device.begin() + 3, device.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
        return "xenbr" + device.substr(3);
    }
    return "xenbr-" + device;
}

void ensure_pifs(Transaction& txn, const std::string& host, const std::vector<NicInfo>& nics) {
    ObjectStore& store = txn.store();
    const int pif_cls = store.class_index("PIF");
    const int net_cls = store.class_index("network");
    auto field = [&](int cls, const char* name) { return store.field_index(cls, name); };
    std::map<std::string, std::string> existing;  // device -> PIF
    for (const std::string& ref : txn.refs(pif_cls)) {
        const rpc::Struct* pif = txn.get(pif_cls, ref);
        if (pif->at("host") == rpc::Value{host} && pif->at("physical") == rpc::Value{true})
            existing[pif->at("device").as<std::string>()] = ref;
    }
    for (const NicInfo& nic : nics) {
        auto it = existing.find(nic.device);
        std::string ref;
        if (it == existing.end()) {
            const std::string network = make_ref();
            rpc::Struct n = new_record(store.class_desc(net_cls));
            n["name_label"] = "Pool-wide network associated with " + nic.device;
            n["bridge"] = bridge_of(nic.device);
            n["MTU"] = nic.mtu;
            txn.create(net_cls, network, std::move(n));
            ref = make_ref();
            rpc::Struct p = new_record(store.class_desc(pif_cls));
            p["device"] = nic.device;
            p["host"] = host;
            p["network"] = network;
            p["physical"] = true;
            p["metrics"] = std::string(kNullRef);
            txn.create(pif_cls, ref, std::move(p));
        } else {
            ref = it->second;
            existing.erase(it);
        }
        txn.set_field(pif_cls, ref, field(pif_cls, "MAC"), rpc::Value{nic.mac});
        txn.set_field(pif_cls, ref, field(pif_cls, "MTU"), rpc::Value{nic.mtu});
        txn.set_field(pif_cls, ref, field(pif_cls, "currently_attached"), rpc::Value{nic.up});
    }
    for (const auto& [device, ref] : existing)
        txn.destroy(pif_cls, ref);
}

}  // namespace tern::xapi
