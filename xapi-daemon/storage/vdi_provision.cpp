// VM.provision's disks.
#include "storage/vdi_provision.hpp"

#include <map>
#include <regex>

#include "api/api_error.hpp"
#include "api/marshal.hpp"
#include "api/ref.hpp"
#include "records_generated.hpp"
#include "storage/local_sr.hpp"
#include "storage/vdi_messages.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

using Attributes = std::map<std::string, std::string>;

std::vector<Attributes> disks_in(const std::string& xml) {
    std::vector<Attributes> out;
    static const std::regex disk(R"(<disk\b([^>]*)/?>)");
    static const std::regex attribute(R"re(([A-Za-z_]+)\s*=\s*"([^"]*)")re");
    for (auto d = std::sregex_iterator(xml.begin(), xml.end(), disk); d != std::sregex_iterator();
         ++d) {
        Attributes attrs;
        const std::string body = (*d)[1].str();
        for (auto a = std::sregex_iterator(body.begin(), body.end(), attribute);
             a != std::sregex_iterator(); ++a)
            attrs[(*a)[1].str()] = (*a)[2].str();
        out.push_back(std::move(attrs));
    }
    return out;
}

std::string value_or(const Attributes& a, const char* key, std::string fallback) {
    auto it = a.find(key);
    return it == a.end() || it->second.empty() ? fallback : it->second;
}

// The SR a disk goes to: its sr= uuid, the pool's default SR, or the local SR.
std::string sr_for(ObjectStore& store, const Attributes& disk) {
    const int sr_cls = store.class_index("SR");
    if (auto uuid = disk.find("sr"); uuid != disk.end() && !uuid->second.empty()) {
        auto ref = store.find_by_uuid(sr_cls, uuid->second);
        if (!ref)
            throw ApiError("UUID_INVALID", {"SR", uuid->second});
        return *ref;
    }
    const int pool_cls = store.class_index("pool");
    for (const std::string& pool : store.refs(pool_cls)) {
        auto def = store.get_field(pool_cls, pool, store.field_index(pool_cls, "default_SR"));
        if (def && def->is<std::string>() && store.exists(sr_cls, def->as<std::string>()))
            return def->as<std::string>();
    }
    throw ApiError("DEFAULT_SR_NOT_FOUND", {kNullRef});
}

}  // namespace

void provision_disks(CallContext& ctx, const std::string& vm, const std::string& disks_xml) {
    ObjectStore& store = ctx.store();
    const int vm_cls = store.class_index("VM");
    const int vbd_cls = store.class_index("VBD");
    const std::vector<Attributes> disks = disks_in(disks_xml);
    auto name = store.get_field(vm_cls, vm, store.field_index(vm_cls, "name_label"));
    for (const Attributes& disk : disks) {
        const std::string device = value_or(disk, "device", "0");
        std::int64_t size = 0;
        try {
            size = std::stoll(value_or(disk, "size", "0"));
        } catch (const std::exception&) {
            size = 0;
        }
        rpc::Struct vdi;
        vdi["SR"] = sr_for(store, disk);
        vdi["virtual_size"] = size;
        vdi["name_label"] =
            (name && name->is<std::string>() ? name->as<std::string>() : "") + " disk " + device;
        vdi["type"] = to_canonical(
            parse_vdi_type(value_or(disk, "type", "system")).value_or(VdiType::system));
        const std::string vdi_ref = create_vdi(ctx, std::move(vdi));
        store.transact([&](Transaction& txn) {
            rpc::Struct vbd;
            for (const FieldDesc& f : store.class_desc(vbd_cls).fields)
                vbd.emplace(f.name, default_value(f));
            vbd["uuid"] = make_uuid();
            vbd["VM"] = vm;
            vbd["VDI"] = vdi_ref;
            vbd["userdevice"] = device;
            vbd["bootable"] = value_or(disk, "bootable", "false") == "true";
            vbd["mode"] = to_canonical(VbdMode::RW);
            vbd["type"] = to_canonical(VbdType::Disk);
            vbd["empty"] = false;
            vbd["currently_attached"] = false;
            txn.create(vbd_cls, make_ref(), std::move(vbd));
        });
    }
    store.transact([&](Transaction& txn) {
        const rpc::Struct* record = txn.get(vm_cls, vm);
        if (record == nullptr)
            return;
        rpc::Struct other = record->at("other_config").as<rpc::Struct>();
        other.erase("disks");
        txn.set_field(vm_cls, vm, store.field_index(vm_cls, "other_config"),
                      rpc::Value{std::move(other)});
    });
}

}  // namespace tern::xapi
