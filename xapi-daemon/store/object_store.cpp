// The object store: memory tables, their SQLite mirror, migrations and transactions.
#include "store/object_store.hpp"

#include <algorithm>
#include <mutex>
#include <set>

#include "api/marshal.hpp"
#include "events/deferred_wakes.hpp"
#include "events/event_stages.hpp"
#include "store/value_json.hpp"

namespace tern::xapi {
namespace {

// The innermost DeferredDurability of this thread, if any.
thread_local DeferredDurability* deferred_durability = nullptr;

std::string quoted(std::string_view name) {
    return "\"" + std::string(name) + "\"";
}

// Database migrations, oldest first: migrations[i] takes layout version i+1 to i+2. Columns
// for fields added to the schema need no step: they are added at every open (see migrate()).
struct Migration {
    const char* what;
    void (*apply)(SqliteDb& db);
};
constexpr Migration kMigrations[] = {
    {"layout 1 is the first", nullptr},
};
static_assert(std::size(kMigrations) == ObjectStore::kSchemaVersion);

void bind_value(Statement& st, int index, const rpc::Value& v, const TypeDesc& type) {
    switch (type.kind) {
        case Kind::integer:
            if (v.is<std::int64_t>())
                return st.bind_int(index, v.as<std::int64_t>());
            break;
        case Kind::boolean:
            if (v.is<bool>())
                return st.bind_int(index, v.as<bool>() ? 1 : 0);
            break;
        case Kind::floating:
            if (v.is<double>())
                return st.bind_double(index, v.as<double>());
            break;
        case Kind::datetime:
            if (v.is<rpc::DateTime>())
                return st.bind_text(index, v.as<rpc::DateTime>().iso8601);
            break;
        case Kind::set:
        case Kind::map:
        case Kind::record:
            return st.bind_text(index, to_json_text(v, type));
        default:
            if (v.is<std::string>())
                return st.bind_text(index, v.as<std::string>());
            break;
    }
    st.bind_null(index);
}

rpc::Value column_value(const Statement& st, int col, const FieldDesc& f) {
    if (st.column_type(col) == SQLITE_NULL)
        return default_value(f);
    switch (f.type->kind) {
        case Kind::integer:
            return rpc::Value{st.column_int(col)};
        case Kind::boolean:
            return rpc::Value{st.column_int(col) != 0};
        case Kind::floating:
            return rpc::Value{st.column_double(col)};
        case Kind::datetime:
            return rpc::Value{rpc::DateTime{st.column_text(col)}};
        case Kind::set:
        case Kind::map:
        case Kind::record:
            return from_json_text(st.column_text(col), *f.type);
        default:
            return rpc::Value{st.column_text(col)};
    }
}

}  // namespace

ObjectStore::ObjectStore(const std::filesystem::path& path)
    : classes_(schema_classes()), db_(path), tables_(classes_.size()) {
    try {
        db_.exec("PRAGMA journal_mode=WAL");
        // NORMAL: a commit that returned is in the WAL, which survives the process being killed.
        db_.exec("PRAGMA synchronous=NORMAL");
        {
            Statement check(db_.handle(), "PRAGMA quick_check");
            if (!check.step() || check.column_text(0) != "ok") {
                throw StoreError("damaged: " + check.column_text(0));
            }
        }
        migrate();
    } catch (const StoreError& e) {
        throw StoreError("database " + path.string() + ": " + e.what());
    }
    for (std::size_t c = 0; c < classes_.size(); ++c) {
        const ClassDesc& cls = classes_[c];
        std::string cols = "\"ref\"";
        std::string marks = "?";
        for (const FieldDesc& f : cls.fields) {
            cols += ", " + quoted(f.name);
            marks += ", ?";
        }
        if (cls.persist) {
            upserts_.push_back(std::make_unique<Statement>(
                db_.handle(), "INSERT OR REPLACE INTO " + quoted(cls.name) + " (" + cols +
                                  ") VALUES (" + marks + ")"));
            deletes_.push_back(std::make_unique<Statement>(
                db_.handle(), "DELETE FROM " + quoted(cls.name) + " WHERE \"ref\" = ?"));
        } else {
            upserts_.push_back(nullptr);
            deletes_.push_back(nullptr);
        }
    }
    load();
    writer_ = std::make_unique<StoreWriter>(
        [this](const std::vector<const StoreRow*>& rows) { write_rows(rows); });
}

ObjectStore::~ObjectStore() = default;

DeferredDurability::DeferredDurability() : outer_(deferred_durability) {
    deferred_durability = this;
}

DeferredDurability::~DeferredDurability() {
    deferred_durability = outer_;
}

void ObjectStore::migrate() {
    db_.exec("CREATE TABLE IF NOT EXISTS tern_meta (key TEXT PRIMARY KEY, value TEXT)");
    int version = 0;
    {
        Statement st(db_.handle(), "SELECT value FROM tern_meta WHERE key = 'schema_version'");
        if (st.step())
            version = static_cast<int>(std::stol(st.column_text(0)));
    }
    bool fresh = version == 0;
    {
        Statement st(db_.handle(), "SELECT count(*) FROM sqlite_master WHERE name = 'host'");
        if (fresh && st.step() && st.column_int(0) != 0) {
            throw StoreError("database has tables but no schema version: not ours");
        }
    }
    if (version > kSchemaVersion) {
        throw StoreError("database layout version " + std::to_string(version) +
                         " is newer than this xapid supports (" + std::to_string(kSchemaVersion) +
                         "); use a newer xapid");
    }
    db_.exec("BEGIN IMMEDIATE");
    try {
        if (!fresh) {
            for (int v = version; v < kSchemaVersion; ++v) {
                if (kMigrations[v].apply != nullptr)
                    kMigrations[v].apply(db_);
            }
        }
        for (const char* sql : schema_create_table_statements())
            db_.exec(sql);
        // Fields added to the schema since the database was written get their columns here;
        // their objects read the field's default.
        for (const ClassDesc& cls : classes_) {
            if (!cls.persist)
                continue;
            std::set<std::string> have;
            Statement info(db_.handle(), "PRAGMA table_info(" + quoted(cls.name) + ")");
            while (info.step())
                have.insert(info.column_text(1));
            for (const FieldDesc& f : cls.fields) {
                if (have.count(f.name) == 0) {
                    db_.exec("ALTER TABLE " + quoted(cls.name) + " ADD COLUMN " + quoted(f.name));
                }
            }
        }
        Statement set(db_.handle(),
                      "INSERT OR REPLACE INTO tern_meta (key, value) VALUES ('schema_version', ?)");
        set.bind_text(1, std::to_string(kSchemaVersion));
        set.step();
        db_.exec("COMMIT");
    } catch (...) {
        db_.exec("ROLLBACK");
        throw;
    }
    schema_version_ = kSchemaVersion;
}

void ObjectStore::load() {
    for (std::size_t c = 0; c < classes_.size(); ++c) {
        const ClassDesc& cls = classes_[c];
        if (!cls.persist)
            continue;
        Statement st(db_.handle(), "SELECT * FROM " + quoted(cls.name));
        std::vector<int> field_of_column;
        for (int col = 0; col < st.column_count(); ++col) {
            field_of_column.push_back(field_index(static_cast<int>(c), st.column_name(col)));
        }
        while (st.step()) {
            std::string ref;
            rpc::Struct fields;
            for (int col = 0; col < st.column_count(); ++col) {
                if (st.column_name(col) == "ref") {
                    ref = st.column_text(col);
                } else if (field_of_column[col] >= 0) {
                    const FieldDesc& f = cls.fields[field_of_column[col]];
                    fields.emplace(f.name, column_value(st, col, f));
                }
            }
            for (const FieldDesc& f : cls.fields) {
                if (!fields.contains(f.name))
                    fields.emplace(f.name, default_value(f));
            }
            put(static_cast<int>(c), ref, std::move(fields));
        }
    }
}

int ObjectStore::class_index(std::string_view name) const {
    for (std::size_t i = 0; i < classes_.size(); ++i) {
        if (name == classes_[i].name)
            return static_cast<int>(i);
    }
    return -1;
}

int ObjectStore::field_index(int cls, std::string_view field) const {
    const auto& fields = classes_[cls].fields;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (field == fields[i].name)
            return static_cast<int>(i);
    }
    return -1;
}

std::optional<rpc::Struct> ObjectStore::get(int cls, const std::string& ref) const {
    std::shared_lock lock(mutex_);
    auto it = tables_[cls].objects.find(ref);
    if (it == tables_[cls].objects.end())
        return std::nullopt;
    return it->second;
}

std::optional<rpc::Value> ObjectStore::get_field(int cls, const std::string& ref, int field) const {
    std::shared_lock lock(mutex_);
    auto it = tables_[cls].objects.find(ref);
    if (it == tables_[cls].objects.end())
        return std::nullopt;
    auto f = it->second.find(classes_[cls].fields[field].name);
    if (f == it->second.end())
        return default_value(classes_[cls].fields[field]);
    return f->second;
}

bool ObjectStore::read(int cls, const std::string& ref,
                       const std::function<void(const rpc::Struct&)>& visit) const {
    std::shared_lock lock(mutex_);
    auto it = tables_[cls].objects.find(ref);
    if (it == tables_[cls].objects.end())
        return false;
    visit(it->second);
    return true;
}

void ObjectStore::read_all(
    int cls, const std::function<void(const std::string&, const rpc::Struct&)>& visit) const {
    std::shared_lock lock(mutex_);
    for (const auto& [ref, record] : tables_[cls].objects)
        visit(ref, record);
}

bool ObjectStore::exists(int cls, const std::string& ref) const {
    std::shared_lock lock(mutex_);
    return tables_[cls].objects.contains(ref);
}

std::optional<int> ObjectStore::class_of(const std::string& ref) const {
    std::shared_lock lock(mutex_);
    auto it = ref_class_.find(ref);
    if (it == ref_class_.end())
        return std::nullopt;
    return it->second;
}

std::vector<std::string> ObjectStore::refs(int cls) const {
    std::shared_lock lock(mutex_);
    std::vector<std::string> out;
    out.reserve(tables_[cls].objects.size());
    for (const auto& [ref, _] : tables_[cls].objects)
        out.push_back(ref);
    return out;
}

std::vector<std::pair<std::string, rpc::Struct>> ObjectStore::records(int cls) const {
    std::shared_lock lock(mutex_);
    return {tables_[cls].objects.begin(), tables_[cls].objects.end()};
}

std::optional<std::string> ObjectStore::find_by_uuid(int cls, const std::string& uuid) const {
    std::shared_lock lock(mutex_);
    auto it = tables_[cls].by_uuid.find(uuid);
    if (it == tables_[cls].by_uuid.end())
        return std::nullopt;
    return it->second;
}

std::vector<std::string> ObjectStore::find_by_field(int cls, int field,
                                                    const rpc::Value& value) const {
    std::shared_lock lock(mutex_);
    std::vector<std::string> out;
    const char* name = classes_[cls].fields[field].name;
    for (const auto& [ref, fields] : tables_[cls].objects) {
        auto it = fields.find(name);
        if (it != fields.end() && it->second == value)
            out.push_back(ref);
    }
    return out;
}

void ObjectStore::put(int cls, const std::string& ref, std::optional<rpc::Struct> value) {
    Table& t = tables_[cls];
    if (auto old = t.objects.find(ref); old != t.objects.end()) {
        if (auto u = old->second.find("uuid");
            u != old->second.end() && u->second.is<std::string>()) {
            t.by_uuid.erase(u->second.as<std::string>());
        }
        t.objects.erase(old);
        ref_class_.erase(ref);
    }
    if (!value)
        return;
    if (auto u = value->find("uuid"); u != value->end() && u->second.is<std::string>()) {
        t.by_uuid[u->second.as<std::string>()] = ref;
    }
    ref_class_[ref] = cls;
    t.objects.emplace(ref, std::move(*value));
}

void ObjectStore::write_rows(const std::vector<const StoreRow*>& rows) {
    try {
        db_.exec("BEGIN IMMEDIATE");
        for (const StoreRow* row : rows) {
            const ClassDesc& desc = classes_[row->cls];
            if (!row->fields) {
                Statement& del = *deletes_[row->cls];
                del.reset();
                del.bind_text(1, row->ref);
                del.step();
                continue;
            }
            Statement& up = *upserts_[row->cls];
            up.reset();
            up.bind_text(1, row->ref);
            const rpc::Struct& fields = *row->fields;
            for (std::size_t i = 0; i < desc.fields.size(); ++i) {
                const FieldDesc& f = desc.fields[i];
                auto v = fields.find(f.name);
                bind_value(up, static_cast<int>(i) + 2,
                           v != fields.end() ? v->second : default_value(f), *f.type);
            }
            up.step();
        }
        db_.exec("COMMIT");
    } catch (...) {
        try {
            db_.exec("ROLLBACK");
        } catch (const StoreError&) {
            // The transaction may not have begun, or SQLite has rolled it back itself.
        }
        throw;
    }
}

void ObjectStore::transact(const std::function<void(Transaction&)>& work) {
    std::uint64_t seq = 0;
    EventStages* stages = EventStages::instance();
    const std::int64_t asked = stages != nullptr ? EventStages::now_ns() : 0;
    // What the observer wakes (parked event calls) runs once the lock is let go.
    DeferredWakes::Collect wakes;
    {
        std::unique_lock lock(mutex_);
        const std::int64_t locked = stages != nullptr ? EventStages::now_ns() : 0;
        writer_->check();
        Transaction txn(*this);
        auto rollback_memory = [&] {
            for (auto it = txn.undo_.rbegin(); it != txn.undo_.rend(); ++it) {
                put(it->cls, it->ref, it->before);
            }
        };
        try {
            work(txn);
        } catch (...) {
            rollback_memory();
            throw;
        }
        if (txn.undo_.empty())
            return;
        std::vector<StoreChange> changes = changes_of(txn);
        std::vector<StoreRow> rows;
        for (const StoreChange& c : changes) {
            if (classes_[c.cls].persist)
                rows.push_back(StoreRow{c.cls, c.ref, c.snapshot});
        }
        if (!rows.empty()) {
            try {
                seq = writer_->submit(std::move(rows));
            } catch (...) {
                rollback_memory();  // the writer failed since check(): nothing was queued
                throw;
            }
        }
        if (observer_ && !changes.empty())
            observer_(std::move(changes));
        if (stages != nullptr) {
            stages->record(EventStages::Stage::lock_wait, locked - asked);
            stages->record(EventStages::Stage::locked, EventStages::now_ns() - locked);
        }
    }
    wakes.run();
    if (seq == 0)
        return;
    if (deferred_durability != nullptr) {
        deferred_durability->newest_ = std::max(deferred_durability->newest_, seq);
        return;
    }
    writer_->wait(seq);
}

std::vector<StoreChange> ObjectStore::changes_of(const Transaction& txn) const {
    std::vector<StoreChange> changes;
    std::set<std::pair<int, std::string>> seen;
    for (const Transaction::Undo& u : txn.undo_) {
        if (!seen.insert({u.cls, u.ref}).second)
            continue;  // the first undo entry of an object holds its state before
        auto now = tables_[u.cls].objects.find(u.ref);
        const bool exists = now != tables_[u.cls].objects.end();
        if (!exists && !u.before)
            continue;
        if (exists && u.before && *u.before == now->second)
            continue;
        StoreChange c{u.cls, u.ref,
                      !u.before ? StoreChange::Kind::add
                                : (exists ? StoreChange::Kind::mod : StoreChange::Kind::del),
                      nullptr, ""};
        const rpc::Struct& latest = exists ? now->second : *u.before;
        if (auto uuid = latest.find("uuid");
            uuid != latest.end() && uuid->second.is<std::string>()) {
            c.uuid = uuid->second.as<std::string>();
        }
        if (exists)
            c.snapshot = std::make_shared<const rpc::Struct>(now->second);
        changes.push_back(std::move(c));
    }
    return changes;
}

std::size_t ObjectStore::count(int cls) const {
    std::shared_lock lock(mutex_);
    return tables_[cls].objects.size();
}

const rpc::Struct* Transaction::get(int cls, const std::string& ref) const {
    auto& objects = store_.tables_[cls].objects;
    auto it = objects.find(ref);
    return it == objects.end() ? nullptr : &it->second;
}

std::vector<std::string> Transaction::refs(int cls) const {
    std::vector<std::string> out;
    for (const auto& [ref, _] : store_.tables_[cls].objects)
        out.push_back(ref);
    return out;
}

void Transaction::remember(int cls, const std::string& ref) {
    if (!touched_.emplace(cls, ref).second)
        return;
    const rpc::Struct* now = get(cls, ref);
    undo_.push_back({cls, ref, now != nullptr ? std::optional<rpc::Struct>(*now) : std::nullopt});
}

// Adds (or removes) `ref` to the inverse sets named by the bound fields of `fields`.
void Transaction::link(int cls, const std::string& ref, const rpc::Struct& fields, bool add) {
    for (const FieldDesc& f : store_.classes_[cls].fields) {
        if (f.inverse == nullptr)
            continue;
        auto v = fields.find(f.name);
        if (v == fields.end() || !v->second.is<std::string>())
            continue;
        const std::string& target = v->second.as<std::string>();
        const int tcls = store_.class_index(f.inverse_class);
        const rpc::Struct* obj = get(tcls, target);
        if (obj == nullptr)
            continue;  // a NULL or dangling reference binds nothing
        const int tfield = store_.field_index(tcls, f.inverse);
        rpc::Array set;
        if (auto cur = obj->find(f.inverse); cur != obj->end() && cur->second.is<rpc::Array>()) {
            set = cur->second.as<rpc::Array>();
        }
        auto pos = std::find(set.begin(), set.end(), rpc::Value{ref});
        if (add && pos == set.end())
            set.emplace_back(ref);
        if (!add && pos != set.end())
            set.erase(pos);
        set_field(tcls, target, tfield, rpc::Value{std::move(set)});
    }
}

void Transaction::create(int cls, const std::string& ref, rpc::Struct fields) {
    if (store_.ref_class_.contains(ref))
        throw StoreError("reference exists already: " + ref);
    remember(cls, ref);
    rpc::Struct copy = fields;
    store_.put(cls, ref, std::move(fields));
    link(cls, ref, copy, true);
}

void Transaction::set_field(int cls, const std::string& ref, int field, rpc::Value value) {
    auto& objects = store_.tables_[cls].objects;
    auto it = objects.find(ref);
    if (it == objects.end())
        throw StoreError("no such object: " + ref);
    const FieldDesc& f = store_.classes_[cls].fields[field];
    if (f.inverse != nullptr)
        link(cls, ref, it->second, false);
    remember(cls, ref);
    if (std::string_view(f.name) == "uuid") {
        // The uuid index follows through put().
        rpc::Struct next = it->second;
        next.insert_or_assign(f.name, std::move(value));
        store_.put(cls, ref, std::move(next));
    } else {
        // In place: the undo log already holds the state before the transaction.
        it->second.insert_or_assign(f.name, std::move(value));
    }
    if (f.inverse != nullptr)
        link(cls, ref, *get(cls, ref), true);
}

void Transaction::destroy(int cls, const std::string& ref) {
    const rpc::Struct* now = get(cls, ref);
    if (now == nullptr)
        return;
    rpc::Struct copy = *now;
    link(cls, ref, copy, false);
    remember(cls, ref);
    store_.put(cls, ref, std::nullopt);
}

}  // namespace tern::xapi
