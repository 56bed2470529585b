// Defines ObjectStore: every object of the API, kept in memory for reads that never touch
// the disk, and persisted in SQLite (WAL) where every change is one transaction.
//
// Readers take a shared lock; a Transaction holds the exclusive lock, applies its changes to
// memory as it goes (so it reads its own writes), keeps the bound fields of reference §2.4 on
// both ends, and at the end writes every touched object in one SQLite transaction. If the
// work or the commit fails, memory is put back as it was and nothing reaches the disk.
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
    void transact(const std::function<void(Transaction&)>& work);

    // Called after every committed transaction with what it changed, in commit order, while
    // the store is still locked: the observer must be quick and must not call the store.
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
    void persist(int cls, const std::string& ref);
    void notify(const Transaction& txn);

    std::span<const ClassDesc> classes_;
    SqliteDb db_;
    int schema_version_ = 0;
    std::vector<Table> tables_;
    std::unordered_map<std::string, int> ref_class_;
    std::vector<std::unique_ptr<Statement>> upserts_;
    std::vector<std::unique_ptr<Statement>> deletes_;
    mutable std::shared_mutex mutex_;
    Observer observer_;
};

}  // namespace tern::xapi
