// Defines ObjectStore: every object of the API, kept in memory for reads that never touch
// the disk, and persisted in SQLite (WAL) behind it, as xapi keeps its database.
//
// Readers take a shared lock; a Transaction holds the exclusive lock, applies its changes to
// memory as it goes (so it reads its own writes) and keeps the bound fields of reference §2.4
// on both ends. If the work fails, memory is put back as it was. When the work is done the
// change is committed: still under the lock, its rows are queued for the writer thread
// (store_writer.hpp) and its events published; then the lock is let go, and the SQLite
// commit happens on the writer, several changes to one transaction, so that neither readers
// nor the events wait for the disk.
//
// The durability rule: a change is answered with success only once it is on disk. transact()
// returns once the change is durable, unless the calling thread holds a DeferredDurability;
// then it returns as soon as the change is in memory, and the caller (the dispatcher) makes
// its answer wait for the group commit that holds the change (when_durable), without holding
// a thread or a lock. Readers and event watchers may see a change up to one group commit
// before it is on disk. If the disk refuses a group, its changes and every later one fail with
// StoreError, and the store takes no more changes until it is opened again.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "api/meta.hpp"
#include "rpc/value.hpp"
#include "store/sqlite_db.hpp"
#include "store/store_writer.hpp"

namespace tern::xapi {

class ObjectStore;

// One object's change by a committed transaction, as events report it.
struct StoreChange {
    enum class Kind { add, mod, del };
    int cls;
    std::string ref;
    Kind kind;
    std::shared_ptr<const rpc::Struct> snapshot;  // the object after the change; null for del
    std::string uuid;                             // the object's uuid (before a del)
};

class Transaction {
  public:
    // The object as this transaction sees it, or null.
    const rpc::Struct* get(int cls, const std::string& ref) const;
    // Every object of the class as this transaction sees it. (The store's own readers must
    // not be called inside a transaction: it holds the lock they take.)
    std::vector<std::string> refs(int cls) const;
    void create(int cls, const std::string& ref, rpc::Struct fields);
    void set_field(int cls, const std::string& ref, int field, rpc::Value value);
    void destroy(int cls, const std::string& ref);
    // The store this transaction changes (for its class and field indexes only).
    ObjectStore& store() const { return store_; }

  private:
    friend class ObjectStore;
    explicit Transaction(ObjectStore& store) : store_(store) {}
    struct Undo {
        int cls;
        std::string ref;
        std::optional<rpc::Struct> before;
    };
    // Keeps the object's state before this transaction first touched it (later touches need
    // nothing more: undoing restores the first state).
    void remember(int cls, const std::string& ref);
    void link(int cls, const std::string& ref, const rpc::Struct& fields, bool add);

    ObjectStore& store_;
    std::vector<Undo> undo_;
    std::set<std::pair<int, std::string>> touched_;
};

// While one lives on a thread, that thread's transactions return as soon as their change is
// in memory and published; the scope keeps the newest change made, for the caller to wait for
// before it answers (ObjectStore::when_durable). Scopes nest; the innermost collects.
class DeferredDurability {
  public:
    DeferredDurability();
    ~DeferredDurability();
    DeferredDurability(const DeferredDurability&) = delete;
    DeferredDurability& operator=(const DeferredDurability&) = delete;

    // The sequence number of the newest change made in the scope that must reach the disk;
    // 0 when there is none.
    std::uint64_t newest() const { return newest_; }

  private:
    friend class ObjectStore;
    DeferredDurability* outer_;
    std::uint64_t newest_ = 0;
};

class ObjectStore {
  public:
    // The database layout this build writes; older ones are migrated, newer ones refused.
    static constexpr int kSchemaVersion = 1;

    // Opens (creating, migrating) the database at `path` and loads every object. ":memory:"
    // gives a private in-memory database. Throws StoreError.
    explicit ObjectStore(const std::filesystem::path& path);
    ~ObjectStore();

    int class_index(std::string_view name) const;
    const ClassDesc& class_desc(int cls) const { return classes_[cls]; }
    int field_index(int cls, std::string_view field) const;

    std::optional<rpc::Struct> get(int cls, const std::string& ref) const;
    std::optional<rpc::Value> get_field(int cls, const std::string& ref, int field) const;
    bool exists(int cls, const std::string& ref) const;
    std::optional<int> class_of(const std::string& ref) const;
    // Calls `visit` with the object under the read lock (no copy); false when there is none.
    bool read(int cls, const std::string& ref,
              const std::function<void(const rpc::Struct&)>& visit) const;
    void read_all(int cls,
                  const std::function<void(const std::string&, const rpc::Struct&)>& visit) const;
    std::vector<std::string> refs(int cls) const;
    std::vector<std::pair<std::string, rpc::Struct>> records(int cls) const;
    std::optional<std::string> find_by_uuid(int cls, const std::string& uuid) const;
    std::vector<std::string> find_by_field(int cls, int field, const rpc::Value& value) const;

    // Runs `work` as one transaction. Whatever `work` throws is rethrown after the rollback.
    // Returns once the change is on disk, or in memory within a DeferredDurability. Throws
    // StoreError when the disk refused this change or an earlier one.
    void transact(const std::function<void(Transaction&)>& work);

    // Blocks until change `seq` (from a DeferredDurability) is on disk; throws StoreError when
    // it never will be.
    void wait_durable(std::uint64_t seq) { writer_->wait(seq); }
    // Calls `done` when change `seq` is on disk (error null) or has failed: at once when that
    // is known, else on the writer thread, which `done` must not hold up.
    void when_durable(std::uint64_t seq, StoreWriter::Done done) {
        writer_->when_durable(seq, std::move(done));
    }
    // Blocks until every change made so far is on disk.
    void flush() { writer_->flush(); }
    StoreWriter::Stats writer_stats() const { return writer_->stats(); }

    // Called after every committed transaction with what it changed, in commit order, while
    // the store is still locked (before the change is on disk): the observer must be quick and
    // must not call the store.
    using Observer = std::function<void(std::vector<StoreChange>&&)>;
    void set_observer(Observer observer) { observer_ = std::move(observer); }
    // The number of live objects of a class.
    std::size_t count(int cls) const;

    int schema_version() const { return schema_version_; }

  private:
    friend class Transaction;
    struct Table {
        std::unordered_map<std::string, rpc::Struct> objects;
        std::unordered_map<std::string, std::string> by_uuid;
    };

    void migrate();
    void load();
    void put(int cls, const std::string& ref, std::optional<rpc::Struct> value);
    // The objects `txn` changed, with their state after it, in the order first touched.
    std::vector<StoreChange> changes_of(const Transaction& txn) const;
    // The writer's one SQLite transaction for a group of rows (on the writer thread).
    void write_rows(const std::vector<const StoreRow*>& rows);

    std::span<const ClassDesc> classes_;
    SqliteDb db_;
    int schema_version_ = 0;
    std::vector<Table> tables_;
    std::unordered_map<std::string, int> ref_class_;
    std::vector<std::unique_ptr<Statement>> upserts_;
    std::vector<std::unique_ptr<Statement>> deletes_;
    mutable std::shared_mutex mutex_;
    Observer observer_;
    // Last, so that it stops (writing what is queued) before the database closes.
    std::unique_ptr<StoreWriter> writer_;
};

}  // namespace tern::xapi
