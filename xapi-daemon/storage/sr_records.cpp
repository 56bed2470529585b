// The glue between FileSr and the object store.
#include "storage/sr_records.hpp"

#include <algorithm>
#include <map>

#include "api/api_error.hpp"
#include "api/marshal.hpp"
#include "api/record_convert.hpp"
#include "api/ref.hpp"
#include "diskimage/image_error.hpp"
#include "records_generated.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

using StringMap = std::map<std::string, std::string>;

rpc::Struct defaults(ObjectStore& store, int cls) {
    rpc::Struct out;
    for (const FieldDesc& f : store.class_desc(cls).fields)
        out.emplace(f.name, default_value(f));
    return out;
}

const std::string* text_field(const rpc::Struct& s, const char* name) {
    auto it = s.find(name);
    return it != s.end() && it->second.is<std::string>() ? &it->second.as<std::string>() : nullptr;
}

bool bool_field(const rpc::Struct& s, const char* name) {
    auto it = s.find(name);
    return it != s.end() && it->second.is<bool>() && it->second.as<bool>();
}

std::string uuid_of(const rpc::Struct* s) {
    if (s == nullptr)
        return "";
    const std::string* u = text_field(*s, "uuid");
    return u ? *u : "";
}

// The attached PBD's directory of `sr` as the transaction sees it, if any.
std::optional<std::string> dir_in(Transaction& txn, const std::string& sr) {
    ObjectStore& store = txn.store();
    const int pbd_cls = store.class_index("PBD");
    for (const std::string& pbd : txn.refs(pbd_cls)) {
        const rpc::Struct* p = txn.get(pbd_cls, pbd);
        const std::string* owner = p ? text_field(*p, "SR") : nullptr;
        if (owner && *owner == sr && bool_field(*p, "currently_attached"))
            return pbd_path(*p);
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> pbd_path(const rpc::Struct& pbd) {
    auto it = pbd.find("device_config");
    if (it == pbd.end() || !it->second.is<rpc::Struct>())
        return std::nullopt;
    const rpc::Struct& config = it->second.as<rpc::Struct>();
    for (const char* key : {"path", "location"}) {
        if (const std::string* p = text_field(config, key); p && !p->empty())
            return *p;
    }
    return std::nullopt;
}

FileSr attached_sr(ObjectStore& store, const std::string& sr) {
    const int sr_cls = store.class_index("SR");
    auto record = store.get(sr_cls, sr);
    if (!record)
        throw ApiError::handle_invalid("SR", sr);
    const int pbd_cls = store.class_index("PBD");
    bool any = false;
    for (const std::string& pbd :
         store.find_by_field(pbd_cls, store.field_index(pbd_cls, "SR"), rpc::Value{sr})) {
        auto p = store.get(pbd_cls, pbd);
        if (!p)
            continue;
        any = true;
        if (bool_field(*p, "currently_attached")) {
            auto path = pbd_path(*p);
            if (!path)
                throw ApiError("SR_BACKEND_FAILURE", {"1", "", "the PBD names no path"});
            return storage_call([&] { return FileSr::attach(*path, uuid_of(&*record)); });
        }
    }
    if (!any)
        throw ApiError("SR_HAS_NO_PBDS", {sr});
    throw ApiError("SR_NOT_ATTACHED", {sr});
}

bool vdi_in_use(ObjectStore& store, const std::string& vdi) {
    const int vbd_cls = store.class_index("VBD");
    const int vm_cls = store.class_index("VM");
    for (const std::string& vbd :
         store.find_by_field(vbd_cls, store.field_index(vbd_cls, "VDI"), rpc::Value{vdi})) {
        auto v = store.get(vbd_cls, vbd);
        if (!v || bool_field(*v, "empty"))
            continue;
        const std::string* vm = text_field(*v, "VM");
        auto state = vm ? store.get_field(vm_cls, *vm, store.field_index(vm_cls, "power_state"))
                        : std::nullopt;
        if (state && state->is<std::string>() &&
            (state->as<std::string>() == "Running" || state->as<std::string>() == "Paused"))
            return true;
    }
    return false;
}

void check_not_in_use(ObjectStore& store, const std::string& vdi, const char* operation) {
    if (vdi_in_use(store, vdi))
        throw ApiError("VDI_IN_USE", {vdi, operation});
}

rpc::Struct vdi_record(ObjectStore& store, const VdiFile& file, const std::string& sr) {
    const int cls = store.class_index("VDI");
    rpc::Struct r = defaults(store, cls);
    const VdiMeta& m = file.meta;
    r["uuid"] = m.uuid;
    r["name_label"] = m.name_label;
    r["name_description"] = m.name_description;
    r["SR"] = sr;
    r["type"] = to_canonical(parse_vdi_type(m.type).value_or(VdiType::user));
    r["sharable"] = m.sharable;
    r["read_only"] = m.read_only;
    r["other_config"] = to_canonical(m.other_config);
    r["sm_config"] = to_canonical(m.sm_config);
    r["is_a_snapshot"] = m.is_a_snapshot;
    if (!m.snapshot_time.empty())
        r["snapshot_time"] = rpc::DateTime{m.snapshot_time};
    r["managed"] = true;
    r["missing"] = false;
    r["location"] = file.path.string();
    r["virtual_size"] = static_cast<std::int64_t>(file.virtual_size);
    r["physical_utilisation"] = static_cast<std::int64_t>(file.physical_utilisation);
    return r;
}

VdiMeta meta_of(const rpc::Struct& vdi, ObjectStore& store) {
    const VDIRecord r = VDIRecord::from_struct(vdi);
    VdiMeta m;
    m.uuid = r.uuid;
    m.name_label = r.name_label;
    m.name_description = r.name_description;
    m.type = std::string(to_string(r.type));
    m.sharable = r.sharable;
    m.read_only = r.read_only;
    m.other_config = r.other_config;
    m.sm_config = r.sm_config;
    m.is_a_snapshot = r.is_a_snapshot;
    m.snapshot_time = r.is_a_snapshot ? r.snapshot_time.iso8601 : "";
    const int cls = store.class_index("VDI");
    auto uuid_of_ref = [&](const Ref& ref) -> std::string {
        if (ref.id.empty() || ref.id == kNullRef)
            return "";
        auto u = store.get_field(cls, ref.id, store.field_index(cls, "uuid"));
        return u && u->is<std::string>() ? u->as<std::string>() : "";
    };
    m.snapshot_of = uuid_of_ref(r.snapshot_of);
    m.parent = uuid_of_ref(r.parent);
    return m;
}

void refresh_vdi(Transaction& txn, const std::string& vdi, const VdiFile& file) {
    ObjectStore& store = txn.store();
    const int cls = store.class_index("VDI");
    auto set = [&](const char* f, rpc::Value v) {
        txn.set_field(cls, vdi, store.field_index(cls, f), std::move(v));
    };
    set("virtual_size", static_cast<std::int64_t>(file.virtual_size));
    set("physical_utilisation", static_cast<std::int64_t>(file.physical_utilisation));
    set("location", file.path.string());
    set("missing", false);
}

void refresh_sr(Transaction& txn, const std::string& sr, const std::string& leaving) {
    ObjectStore& store = txn.store();
    const int sr_cls = store.class_index("SR");
    const int vdi_cls = store.class_index("VDI");
    if (txn.get(sr_cls, sr) == nullptr)
        return;
    std::int64_t allocation = 0;
    for (const std::string& vdi : txn.refs(vdi_cls)) {
        const rpc::Struct* v = txn.get(vdi_cls, vdi);
        const std::string* owner = v ? text_field(*v, "SR") : nullptr;
        if (vdi == leaving || !owner || *owner != sr)
            continue;
        if (auto it = v->find("virtual_size"); it != v->end() && it->second.is<std::int64_t>())
            allocation += it->second.as<std::int64_t>();
    }
    auto set = [&](const char* f, rpc::Value value) {
        txn.set_field(sr_cls, sr, store.field_index(sr_cls, f), std::move(value));
    };
    set("virtual_allocation", allocation);
    if (auto dir = dir_in(txn, sr)) {
        try {
            const SrSpace space = sr_space(*dir);
            set("physical_size", static_cast<std::int64_t>(space.size));
            set("physical_utilisation", static_cast<std::int64_t>(space.used_by_sr));
        } catch (const SrError&) {
            // The directory went away; the figures stay as they were.
        }
    }
}

void scan_into_store(CallContext& ctx, const std::string& sr) {
    ObjectStore& store = ctx.store();
    FileSr driver = attached_sr(store, sr);
    const std::vector<VdiFile> files = storage_call([&] { return driver.scan(); });
    const int cls = store.class_index("VDI");
    const int f_snapshot_of = store.field_index(cls, "snapshot_of");
    const int f_parent = store.field_index(cls, "parent");
    const int f_snapshots = store.field_index(cls, "snapshots");
    std::vector<VdiMeta> sidecars;  // rewritten from the records after the transaction
    store.transact([&](Transaction& txn) {
        std::map<std::string, std::string> by_uuid;  // every VDI of the SR
        for (const std::string& vdi : txn.refs(cls)) {
            const rpc::Struct* v = txn.get(cls, vdi);
            const std::string* owner = v ? text_field(*v, "SR") : nullptr;
            if (owner && *owner == sr)
                by_uuid.emplace(uuid_of(v), vdi);
        }
        std::map<std::string, const VdiFile*> found;
        for (const VdiFile& file : files) {
            found.emplace(file.meta.uuid, &file);
            auto known = by_uuid.find(file.meta.uuid);
            if (known != by_uuid.end()) {
                refresh_vdi(txn, known->second, file);
                continue;
            }
            const std::string ref = make_ref();
            txn.create(cls, ref, vdi_record(store, file, sr));
            by_uuid.emplace(file.meta.uuid, ref);
        }
        for (const auto& [uuid, ref] : by_uuid) {
            if (!found.contains(uuid))
                txn.set_field(cls, ref, store.field_index(cls, "missing"), rpc::Value{true});
        }
        // Links between VDIs come from the sidecars of new records.
        for (const VdiFile& file : files) {
            const std::string& ref = by_uuid.at(file.meta.uuid);
            auto link = [&](const std::string& uuid, int field) {
                auto target = by_uuid.find(uuid);
                if (uuid.empty() || target == by_uuid.end())
                    return;
                const rpc::Struct* v = txn.get(cls, ref);
                auto now = v->find(store.class_desc(cls).fields[field].name);
                if (now != v->end() && now->second.is<std::string>() &&
                    now->second.as<std::string>() != kNullRef &&
                    !now->second.as<std::string>().empty())
                    return;  // the record already says
                txn.set_field(cls, ref, field, rpc::Value{target->second});
                if (field == f_snapshot_of) {
                    const rpc::Struct* base = txn.get(cls, target->second);
                    rpc::Array snaps;
                    if (auto s = base->find("snapshots");
                        s != base->end() && s->second.is<rpc::Array>())
                        snaps = s->second.as<rpc::Array>();
                    if (std::find(snaps.begin(), snaps.end(), rpc::Value{ref}) == snaps.end())
                        snaps.emplace_back(ref);
                    txn.set_field(cls, target->second, f_snapshots, rpc::Value{std::move(snaps)});
                }
            };
            link(file.meta.snapshot_of, f_snapshot_of);
            link(file.meta.parent, f_parent);
        }
        refresh_sr(txn, sr);
    });
    for (const VdiFile& file : files) {
        if (auto ref = store.find_by_uuid(cls, file.meta.uuid)) {
            if (auto record = store.get(cls, *ref))
                sidecars.push_back(meta_of(*record, store));
        }
    }
    for (const VdiMeta& m : sidecars)
        storage_call([&] { driver.write_meta(m); });
}

void rethrow_storage_error() {
    try {
        throw;
    } catch (const SrError& e) {
        throw ApiError(e.code(), e.params());
    } catch (const dom0::diskimage::ImageError& e) {
        throw ApiError("SR_BACKEND_FAILURE", {"1", "", e.what()});
    } catch (const std::filesystem::filesystem_error& e) {
        throw ApiError("SR_BACKEND_FAILURE", {"1", "", e.what()});
    }
}

}  // namespace tern::xapi
