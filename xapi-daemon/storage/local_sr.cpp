// The local SR and the storage start-up.
#include "storage/local_sr.hpp"

#include <iostream>

#include "api/api_error.hpp"
#include "api/marshal.hpp"
#include "api/ref.hpp"
#include "storage/sr_records.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

// True when some PBD already names `dir`.
bool known(ObjectStore& store, const std::filesystem::path& dir) {
    bool found = false;
    store.read_all(store.class_index("PBD"), [&](const std::string&, const rpc::Struct& pbd) {
        if (auto path = pbd_path(pbd); path && std::filesystem::path(*path) == dir)
            found = true;
    });
    return found;
}

void create_local_sr(ApiState& state, const std::filesystem::path& dir) {
    ObjectStore& store = state.store;
    // A directory from an earlier life keeps its SR's uuid (the database may be new).
    const std::string uuid = FileSr::uuid_at(dir).value_or(make_uuid());
    storage_call([&] { (void)FileSr::attach(dir, uuid); });
    const int sr_cls = store.class_index("SR");
    const int pbd_cls = store.class_index("PBD");
    const int pool_cls = store.class_index("pool");
    const std::vector<std::string> pools = store.refs(pool_cls);
    const std::string sr = make_ref();
    store.transact([&](Transaction& txn) {
        rpc::Struct s = new_record(store.class_desc(sr_cls));
        s["uuid"] = uuid;
        s["name_label"] = std::string("Local storage");
        s["name_description"] = std::string("Disks in xapid's state directory");
        s["type"] = std::string(kFileSrType);
        s["content_type"] = std::string("user");
        s["other_config"] = rpc::Struct{{"i18n-key", rpc::Value{"local-storage"}}};
        txn.create(sr_cls, sr, std::move(s));
        rpc::Struct p = new_record(store.class_desc(pbd_cls));
        p["host"] = state.host_ref;
        p["SR"] = sr;
        p["device_config"] = rpc::Struct{{"path", rpc::Value{dir.string()}}};
        p["currently_attached"] = true;
        txn.create(pbd_cls, make_ref(), std::move(p));
        for (const std::string& pool : pools) {
            const rpc::Struct* record = txn.get(pool_cls, pool);
            auto def = record->find("default_SR");
            if (def == record->end() || !def->second.is<std::string>() ||
                def->second.as<std::string>() == kNullRef ||
                def->second.as<std::string>().empty()) {
                txn.set_field(pool_cls, pool, store.field_index(pool_cls, "default_SR"),
                              rpc::Value{sr});
            }
        }
    });
}

}  // namespace

std::filesystem::path local_sr_dir(const ApiState& state) {
    return std::filesystem::absolute(state.state_dir / "storage");
}

void start_storage(ApiState& state) {
    ObjectStore& store = state.store;
    const std::filesystem::path dir = local_sr_dir(state);
    if (!known(store, dir))
        create_local_sr(state, dir);
    // Plug what can be plugged; scan what is plugged.
    const int pbd_cls = store.class_index("PBD");
    rpc::Peer peer;
    CallContext ctx(state, peer);
    for (const auto& [ref, pbd] : store.records(pbd_cls)) {
        auto host = pbd.find("host");
        if (host == pbd.end() || host->second != rpc::Value{state.host_ref})
            continue;
        auto path = pbd_path(pbd);
        const bool there = path && std::filesystem::is_directory(*path);
        store.transact([&](Transaction& txn) {
            txn.set_field(pbd_cls, ref, store.field_index(pbd_cls, "currently_attached"),
                          rpc::Value{there});
        });
        if (!there)
            continue;
        try {
            scan_into_store(ctx, pbd.at("SR").as<std::string>());
        } catch (const ApiError& e) {
            std::cerr << "xapid: cannot scan the SR at " << *path << ": " << e.code() << "\n";
        }
    }
}

}  // namespace tern::xapi
