// SR.* and PBD.plug/unplug for `file` SRs.
#include "storage/sr_messages.hpp"

#include "api/api_error.hpp"
#include "api/marshal.hpp"
#include "api/ref.hpp"
#include "storage/sr_records.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

rpc::Struct as_struct(const rpc::Value& v) {
    return v.is<rpc::Struct>() ? v.as<rpc::Struct>() : rpc::Struct{};
}

std::string text(const rpc::Struct& s, const char* key) {
    auto it = s.find(key);
    return it != s.end() && it->second.is<std::string>() ? it->second.as<std::string>() : "";
}

void check_type(const std::string& type) {
    if (type != kFileSrType)
        throw ApiError("SR_UNKNOWN_DRIVER", {type});
}

rpc::Struct sr_fields(ObjectStore& store, const std::string& uuid, const std::string& name_label,
                      const std::string& name_description, const std::string& type,
                      const std::string& content_type, bool shared, const rpc::Value& sm_config) {
    rpc::Struct sr = new_record(store.class_desc(store.class_index("SR")));
    sr["uuid"] = uuid;
    sr["name_label"] = name_label;
    sr["name_description"] = name_description;
    sr["type"] = type;
    sr["content_type"] = content_type;
    sr["shared"] = shared;
    sr["sm_config"] = as_struct(sm_config);
    return sr;
}

// The PBDs of `sr`.
std::vector<std::string> pbds_of(ObjectStore& store, const std::string& sr) {
    const int cls = store.class_index("PBD");
    return store.find_by_field(cls, store.field_index(cls, "SR"), rpc::Value{sr});
}

std::vector<std::string> vdis_of(ObjectStore& store, const std::string& sr) {
    const int cls = store.class_index("VDI");
    return store.find_by_field(cls, store.field_index(cls, "SR"), rpc::Value{sr});
}

void check_no_vdi_in_use(ObjectStore& store, const std::string& sr, const char* operation) {
    for (const std::string& vdi : vdis_of(store, sr))
        check_not_in_use(store, vdi, operation);
}

// Drops the records of `sr`, its VDIs and its PBDs (the disks stay wherever they are).
void drop_records(ObjectStore& store, const std::string& sr) {
    const std::vector<std::string> vdis = vdis_of(store, sr);
    const std::vector<std::string> pbds = pbds_of(store, sr);
    store.transact([&](Transaction& txn) {
        for (const std::string& vdi : vdis)
            txn.destroy(store.class_index("VDI"), vdi);
        for (const std::string& pbd : pbds)
            txn.destroy(store.class_index("PBD"), pbd);
        txn.destroy(store.class_index("SR"), sr);
    });
}

void set_attached(ObjectStore& store, const std::string& pbd, bool attached) {
    const int cls = store.class_index("PBD");
    store.transact([&](Transaction& txn) {
        txn.set_field(cls, pbd, store.field_index(cls, "currently_attached"), rpc::Value{attached});
    });
}

}  // namespace

rpc::Value SrHandlers::get_supported_types(CallContext& ctx) {
    (void)ctx;
    return rpc::Value{rpc::Array{rpc::Value{kFileSrType}}};
}

rpc::Value SrHandlers::create(CallContext& ctx, const Ref& host, const rpc::Value& device_config,
                              std::int64_t physical_size, const std::string& name_label,
                              const std::string& name_description, const std::string& type,
                              const std::string& content_type, bool shared,
                              const rpc::Value& sm_config) {
    (void)physical_size;  // a file SR is as big as its filesystem
    ObjectStore& store = ctx.store();
    if (!store.exists(store.class_index("host"), host.id))
        throw ApiError::handle_invalid("host", host.id);
    check_type(type);
    rpc::Struct config = as_struct(device_config);
    const std::string uuid = make_uuid();
    rpc::Struct pbd = new_record(store.class_desc(store.class_index("PBD")));
    pbd["host"] = host.id;
    pbd["device_config"] = config;
    auto path = pbd_path(pbd);
    if (!path) {
        path = (ctx.state().state_dir / ("sr-" + uuid)).string();
        config["path"] = *path;
        pbd["device_config"] = config;
    }
    storage_call([&] { (void)FileSr::attach(*path, uuid); });
    const std::string sr = make_ref();
    store.transact([&](Transaction& txn) {
        txn.create(store.class_index("SR"), sr,
                   sr_fields(store, uuid, name_label, name_description, type, content_type, shared,
                             sm_config));
        pbd["SR"] = sr;
        pbd["currently_attached"] = true;
        txn.create(store.class_index("PBD"), make_ref(), std::move(pbd));
    });
    scan_into_store(ctx, sr);
    return rpc::Value{sr};
}

rpc::Value SrHandlers::introduce(CallContext& ctx, const std::string& uuid,
                                 const std::string& name_label, const std::string& name_description,
                                 const std::string& type, const std::string& content_type,
                                 bool shared, const rpc::Value& sm_config) {
    ObjectStore& store = ctx.store();
    check_type(type);
    if (!is_uuid(uuid))
        throw ApiError("UUID_INVALID", {"SR", uuid});
    if (store.find_by_uuid(store.class_index("SR"), uuid))
        throw ApiError("OPERATION_NOT_ALLOWED", {"an SR with uuid " + uuid + " is known already"});
    const std::string sr = make_ref();
    store.transact([&](Transaction& txn) {
        txn.create(store.class_index("SR"), sr,
                   sr_fields(store, uuid, name_label, name_description, type, content_type, shared,
                             sm_config));
    });
    return rpc::Value{sr};
}

rpc::Value SrHandlers::forget(CallContext& ctx, const Ref& sr) {
    ObjectStore& store = ctx.store();
    if (!store.exists(store.class_index("SR"), sr.id))
        throw ApiError::handle_invalid("SR", sr.id);
    check_no_vdi_in_use(store, sr.id, "forget");
    drop_records(store, sr.id);
    return {};
}

rpc::Value SrHandlers::destroy(CallContext& ctx, const Ref& sr) {
    ObjectStore& store = ctx.store();
    FileSr driver = attached_sr(store, sr.id);
    check_no_vdi_in_use(store, sr.id, "destroy");
    storage_call([&] { driver.remove_all(); });
    drop_records(store, sr.id);
    return {};
}

rpc::Value SrHandlers::scan(CallContext& ctx, const Ref& sr) {
    scan_into_store(ctx, sr.id);
    return {};
}

rpc::Value PbdHandlers::plug(CallContext& ctx, const Ref& self) {
    ObjectStore& store = ctx.store();
    const int cls = store.class_index("PBD");
    auto pbd = store.get(cls, self.id);
    if (!pbd)
        throw ApiError::handle_invalid("PBD", self.id);
    const std::string sr = text(*pbd, "SR");
    auto sr_uuid = store.get_field(store.class_index("SR"), sr,
                                   store.field_index(store.class_index("SR"), "uuid"));
    auto path = pbd_path(*pbd);
    if (!sr_uuid || !path)
        throw ApiError("SR_BACKEND_FAILURE", {"1", "", "the PBD names no SR or no path"});
    storage_call([&] { (void)FileSr::attach(*path, sr_uuid->as<std::string>()); });
    set_attached(store, self.id, true);
    scan_into_store(ctx, sr);
    return {};
}

rpc::Value PbdHandlers::unplug(CallContext& ctx, const Ref& self) {
    ObjectStore& store = ctx.store();
    const int cls = store.class_index("PBD");
    auto pbd = store.get(cls, self.id);
    if (!pbd)
        throw ApiError::handle_invalid("PBD", self.id);
    check_no_vdi_in_use(store, text(*pbd, "SR"), "unplug");
    set_attached(store, self.id, false);
    return {};
}

}  // namespace tern::xapi
