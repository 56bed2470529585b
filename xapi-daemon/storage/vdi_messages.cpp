// VDI operations over the file SR driver.
#include "storage/vdi_messages.hpp"

#include <algorithm>

#include "api/api_error.hpp"
#include "api/dispatcher.hpp"
#include "api/marshal.hpp"
#include "api/record_convert.hpp"
#include "api/ref.hpp"
#include "api/task_registry.hpp"
#include "lifecycle/task_progress.hpp"
#include "records_generated.hpp"
#include "storage/sr_records.hpp"
#include "storage/vdi_claims.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {
namespace {

VDIRecord read_vdi(ObjectStore& store, const std::string& vdi) {
    auto record = store.get(store.class_index("VDI"), vdi);
    if (!record)
        throw ApiError::handle_invalid("VDI", vdi);
    return VDIRecord::from_struct(*record);
}

// The sidecar of a VDI changes with its record.
const char* const kSidecarFields[] = {"name_label", "name_description", "sharable",
                                      "read_only",  "other_config",     "sm_config"};

void before_create(CallContext& ctx, rpc::Struct& record) {
    ObjectStore& store = ctx.store();
    const VDIRecord vdi = VDIRecord::from_struct(record);
    if (vdi.SR.id.empty() || vdi.SR.id == kNullRef)
        throw ApiError::handle_invalid("SR", vdi.SR.id);
    if (vdi.virtual_size <= 0) {
        throw ApiError("VALUE_NOT_SUPPORTED", {"virtual_size", std::to_string(vdi.virtual_size),
                                               "a VDI needs a positive size"});
    }
    FileSr sr = attached_sr(store, vdi.SR.id);
    VdiMeta meta = meta_of(record, store);
    meta.is_a_snapshot = false;
    meta.snapshot_of.clear();
    meta.parent.clear();
    const VdiFile file = storage_call([&] {
        return sr.create(meta, static_cast<std::uint64_t>(vdi.virtual_size),
                         requested_format(vdi.sm_config, vdi.other_config));
    });
    record = vdi_record(store, file, vdi.SR.id);
    record["xenstore_data"] = to_canonical(vdi.xenstore_data);
    record["tags"] = to_canonical(vdi.tags);
}

void after_create(CallContext&, Transaction& txn, const std::string& ref) {
    const rpc::Struct* v = txn.get(txn.store().class_index("VDI"), ref);
    if (v != nullptr) {
        const std::string sr = v->at("SR").as<std::string>();
        refresh_sr(txn, sr);
    }
}

void before_destroy(CallContext& ctx, const std::string& ref) {
    ObjectStore& store = ctx.store();
    const VDIRecord vdi = read_vdi(store, ref);
    check_not_in_use(store, ref, "destroy");
    VdiClaim claim(ref, VdiClaim::Mode::exclusive, "destroy");
    if (vdi.missing)
        return;  // nothing on disk to delete
    FileSr sr = attached_sr(store, vdi.SR.id);
    storage_call([&] { sr.destroy(vdi.uuid); });
}

void during_destroy(Transaction& txn, const std::string& ref) {
    ObjectStore& store = txn.store();
    const int cls = store.class_index("VDI");
    const rpc::Struct* v = txn.get(cls, ref);
    if (v == nullptr)
        return;
    const VDIRecord vdi = VDIRecord::from_struct(*v);
    // A snapshot leaves its origin's list; snapshots of this VDI forget their origin.
    if (const rpc::Struct* origin = txn.get(cls, vdi.snapshot_of.id)) {
        rpc::Array snaps = origin->at("snapshots").as<rpc::Array>();
        snaps.erase(std::remove(snaps.begin(), snaps.end(), rpc::Value{ref}), snaps.end());
        txn.set_field(cls, vdi.snapshot_of.id, store.field_index(cls, "snapshots"),
                      rpc::Value{std::move(snaps)});
    }
    for (const Ref& s : vdi.snapshots) {
        if (txn.get(cls, s.id) != nullptr) {
            txn.set_field(cls, s.id, store.field_index(cls, "snapshot_of"),
                          rpc::Value{std::string(kNullRef)});
        }
    }
    refresh_sr(txn, vdi.SR.id, ref);
}

void after_set(Transaction& txn, const std::string& ref, const std::string& field) {
    if (std::find(std::begin(kSidecarFields), std::end(kSidecarFields), field) ==
        std::end(kSidecarFields))
        return;
    ObjectStore& store = txn.store();
    const rpc::Struct* v = txn.get(store.class_index("VDI"), ref);
    if (v == nullptr)
        return;
    const VDIRecord vdi = VDIRecord::from_struct(*v);
    if (vdi.missing || vdi.location.empty())
        return;
    // meta_of reads the store for the uuids of linked VDIs, which this transaction holds
    // locked: the links keep what the sidecar already says.
    VdiMeta meta;
    meta.uuid = vdi.uuid;
    meta.name_label = vdi.name_label;
    meta.name_description = vdi.name_description;
    meta.type = std::string(to_string(vdi.type));
    meta.sharable = vdi.sharable;
    meta.read_only = vdi.read_only;
    meta.other_config = vdi.other_config;
    meta.sm_config = vdi.sm_config;
    meta.is_a_snapshot = vdi.is_a_snapshot;
    meta.snapshot_time = vdi.is_a_snapshot ? vdi.snapshot_time.iso8601 : "";
    auto uuid_in = [&](const Ref& r) -> std::string {
        const rpc::Struct* o = txn.get(store.class_index("VDI"), r.id);
        return o ? o->at("uuid").as<std::string>() : "";
    };
    meta.snapshot_of = uuid_in(vdi.snapshot_of);
    meta.parent = uuid_in(vdi.parent);
    storage_call([&] { write_vdi_meta(std::filesystem::path(vdi.location).parent_path(), meta); });
}

// A copy-on-write sibling of `source`: a snapshot (read-only, is_a_snapshot) or a clone.
rpc::Value cow_copy(CallContext& ctx, const Ref& source, bool snapshot) {
    ObjectStore& store = ctx.store();
    const int cls = store.class_index("VDI");
    const VDIRecord vdi = read_vdi(store, source.id);
    check_not_in_use(store, source.id, snapshot ? "snapshot" : "clone");
    VdiClaim claim(source.id, VdiClaim::Mode::exclusive, snapshot ? "snapshot" : "clone");
    FileSr sr = attached_sr(store, vdi.SR.id);
    if (std::filesystem::path(vdi.location).extension() != ".qcow2")
        throw ApiError("SR_OPERATION_NOT_SUPPORTED", {vdi.SR.id});  // raw: no copy-on-write
    VdiMeta meta = meta_of(*store.get(cls, source.id), store);
    meta.uuid = make_uuid();
    const rpc::DateTime now = format_datetime(ctx.state().clock());
    if (snapshot) {
        meta.is_a_snapshot = true;
        meta.read_only = true;
        meta.snapshot_of = vdi.uuid;
        meta.snapshot_time = now.iso8601;
        meta.parent.clear();
    } else {
        meta.is_a_snapshot = false;
        meta.snapshot_of.clear();
        meta.snapshot_time.clear();
        meta.parent = vdi.uuid;
    }
    const VdiFile copy = storage_call([&] { return sr.share_base(vdi.uuid, meta); });
    const auto original = storage_call([&] { return sr.find(vdi.uuid); });
    const std::string ref = make_ref();
    store.transact([&](Transaction& txn) {
        rpc::Struct record = vdi_record(store, copy, vdi.SR.id);
        if (snapshot) {
            record["snapshot_of"] = source.id;
        } else {
            record["parent"] = source.id;
        }
        txn.create(cls, ref, std::move(record));
        if (snapshot) {
            const rpc::Struct* o = txn.get(cls, source.id);
            rpc::Array snaps = o->at("snapshots").as<rpc::Array>();
            snaps.emplace_back(ref);
            txn.set_field(cls, source.id, store.field_index(cls, "snapshots"),
                          rpc::Value{std::move(snaps)});
        }
        if (original)
            refresh_vdi(txn, source.id, *original);
        refresh_sr(txn, vdi.SR.id);
    });
    return rpc::Value{ref};
}

}  // namespace

std::string create_vdi(CallContext& ctx, rpc::Struct record) {
    ObjectStore& store = ctx.store();
    const int cls = store.class_index("VDI");
    rpc::Struct full;
    for (const FieldDesc& f : store.class_desc(cls).fields)
        full.emplace(f.name, default_value(f));
    for (auto& [k, v] : record)
        full[k] = std::move(v);
    full["uuid"] = make_uuid();
    before_create(ctx, full);
    const std::string ref = make_ref();
    store.transact([&](Transaction& txn) {
        txn.create(cls, ref, std::move(full));
        after_create(ctx, txn, ref);
    });
    return ref;
}

rpc::Value VdiHandlers::snapshot(CallContext& ctx, const Ref& vdi, const rpc::Value&) {
    return cow_copy(ctx, vdi, true);
}

rpc::Value VdiHandlers::clone(CallContext& ctx, const Ref& vdi, const rpc::Value&) {
    return cow_copy(ctx, vdi, false);
}

rpc::Value VdiHandlers::resize(CallContext& ctx, const Ref& vdi_ref, std::int64_t size) {
    ObjectStore& store = ctx.store();
    const VDIRecord vdi = read_vdi(store, vdi_ref.id);
    if (vdi.read_only)
        throw ApiError("VDI_READONLY", {vdi_ref.id});
    // The block backend cannot grow a disk under a running guest yet.
    check_not_in_use(store, vdi_ref.id, "resize");
    VdiClaim claim(vdi_ref.id, VdiClaim::Mode::exclusive, "resize");
    if (size < 0)
        throw ApiError("VALUE_NOT_SUPPORTED", {"size", std::to_string(size), "negative"});
    FileSr sr = attached_sr(store, vdi.SR.id);
    const VdiFile file = storage_call([&] {
        sr.resize(vdi.uuid, static_cast<std::uint64_t>(size));
        return *sr.find(vdi.uuid);
    });
    store.transact([&](Transaction& txn) {
        refresh_vdi(txn, vdi_ref.id, file);
        refresh_sr(txn, vdi.SR.id);
    });
    return {};
}

rpc::Value VdiHandlers::copy(CallContext& ctx, const Ref& vdi_ref, const Ref& sr_ref) {
    ObjectStore& store = ctx.store();
    const int cls = store.class_index("VDI");
    const VDIRecord vdi = read_vdi(store, vdi_ref.id);
    if (vdi.missing)
        throw ApiError("VDI_MISSING", {vdi.SR.id, vdi_ref.id});
    (void)attached_sr(store, vdi.SR.id);  // the source must be reachable
    VdiClaim claim(vdi_ref.id, VdiClaim::Mode::shared, "copy");
    // A NULL SR means the source's own (as VM.copy passes it).
    const std::string into = sr_ref.id.empty() || sr_ref.id == kNullRef ? vdi.SR.id : sr_ref.id;
    FileSr target = attached_sr(store, into);
    VdiMeta meta = meta_of(*store.get(cls, vdi_ref.id), store);
    meta.uuid = make_uuid();
    meta.is_a_snapshot = false;
    meta.snapshot_of.clear();
    meta.snapshot_time.clear();
    meta.parent.clear();
    meta.read_only = false;
    const OperationControl control = control_for(ctx, 0.0, 1.0);
    const auto file = storage_call([&] {
        return target.copy_from(vdi.location, meta, [&](std::uint64_t done, std::uint64_t total) {
            if (total > 0)
                control.progress(static_cast<double>(done) / static_cast<double>(total));
            return !control.is_cancelled();
        });
    });
    if (!file)
        throw ApiError("TASK_CANCELLED", {ctx.task() ? ctx.task()->ref : ""});
    const std::string ref = make_ref();
    store.transact([&](Transaction& txn) {
        txn.create(cls, ref, vdi_record(store, *file, into));
        refresh_sr(txn, into);
    });
    return rpc::Value{ref};
}

void install_storage_rules(Dispatcher& dispatcher) {
    dispatcher.set_hooks(
        "VDI", ClassHooks{before_create, after_create, before_destroy, after_set, during_destroy});
    dispatcher.set_hooks(
        "PBD", ClassHooks{[](CallContext&, rpc::Struct& pbd) { pbd["currently_attached"] = false; },
                          nullptr,
                          [](CallContext& ctx, const std::string& ref) {
                              ObjectStore& store = ctx.store();
                              const int cls = store.class_index("PBD");
                              auto attached = store.get_field(
                                  cls, ref, store.field_index(cls, "currently_attached"));
                              if (attached && *attached == rpc::Value{true}) {
                                  throw ApiError("OPERATION_NOT_ALLOWED",
                                                 {"the PBD is plugged: unplug it first"});
                              }
                          },
                          nullptr, nullptr});
}

}  // namespace tern::xapi
