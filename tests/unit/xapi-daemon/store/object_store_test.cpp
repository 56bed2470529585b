// Tests of the object store: persistence across reopen, transactions that roll back, bound
// fields, the layout version and migrations, and the writer behind it (a change answered
// later is on disk once the writer says so, a commit the disk refuses is an error, every
// acknowledged change survives a kill -9).
#include "store/object_store.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include <filesystem>
#include <future>
#include <mutex>

#include "api/marshal.hpp"
#include "api/ref.hpp"

namespace tern::xapi {
namespace {

class ObjectStoreTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("tern-store-" + std::to_string(getpid()) + "-" + make_uuid());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    std::filesystem::path db() const { return dir_ / "xapi.db"; }

    static rpc::Struct defaults(ObjectStore& s, int cls) {
        rpc::Struct out;
        for (const FieldDesc& f : s.class_desc(cls).fields)
            out.emplace(f.name, default_value(f));
        out["uuid"] = make_uuid();
        return out;
    }
    static std::string make_vm_for_test(ObjectStore& s, const std::string& name) {
        const int vm = s.class_index("VM");
        rpc::Struct r = defaults(s, vm);
        r["name_label"] = name;
        const std::string ref = make_ref();
        s.transact([&](Transaction& t) { t.create(vm, ref, r); });
        return ref;
    }
    static void exec(const std::filesystem::path& path, const char* sql) {
        sqlite3* h = nullptr;
        ASSERT_EQ(sqlite3_open(path.c_str(), &h), SQLITE_OK);
        ASSERT_EQ(sqlite3_exec(h, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(h);
        sqlite3_close(h);
    }

    // Makes changes as the dispatcher does (answered once durable) and writes each
    // acknowledged one's ref to `fd`, until killed.
    [[noreturn]] static void make_changes_until_killed(const std::filesystem::path& path, int fd) {
        ObjectStore s(path);
        std::mutex write_lock;
        for (int i = 0;; ++i) {
            DeferredDurability scope;
            const std::string ref = make_vm_for_test(s, "vm-" + std::to_string(i));
            s.when_durable(scope.newest(), [&, ref](const std::string* error) {
                if (error != nullptr)
                    ::_exit(3);
                std::lock_guard lock(write_lock);
                const std::string line = ref + "\n";
                if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
                    ::_exit(4);
            });
        }
    }

    std::filesystem::path dir_;
};

TEST_F(ObjectStoreTest, ObjectsSurviveReopenWithTheirRefsUuidsAndValues) {
    std::string ref;
    rpc::Struct before;
    {
        ObjectStore s(db());
        ref = make_vm_for_test(s, "web");
        const int vm = s.class_index("VM");
        s.transact([&](Transaction& t) {
            t.set_field(vm, ref, s.field_index(vm, "other_config"),
                        rpc::Value{rpc::Struct{{"k", rpc::Value{"v"}}}});
            t.set_field(vm, ref, s.field_index(vm, "memory_static_max"),
                        rpc::Value{std::int64_t{1} << 40});
            t.set_field(vm, ref, s.field_index(vm, "HVM_shadow_multiplier"), rpc::Value{2.5});
        });
        before = *s.get(vm, ref);
    }
    ObjectStore s(db());
    const int vm = s.class_index("VM");
    auto after = s.get(vm, ref);
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(*after, before);
    EXPECT_EQ(s.find_by_uuid(vm, before.at("uuid").as<std::string>()), ref);
    EXPECT_EQ(after->at("memory_static_max"), rpc::Value{std::int64_t{1} << 40});
}

TEST_F(ObjectStoreTest, AFailedTransactionLeavesMemoryAndDiskUntouched) {
    ObjectStore s(db());
    const int vm = s.class_index("VM");
    const std::string ref = make_vm_for_test(s, "keep");
    EXPECT_THROW(s.transact([&](Transaction& t) {
        t.set_field(vm, ref, s.field_index(vm, "name_label"), rpc::Value{"changed"});
        t.destroy(vm, ref);
        rpc::Struct r = defaults(s, vm);
        t.create(vm, make_ref(), r);
        throw std::runtime_error("give up");
    }),
                 std::runtime_error);
    EXPECT_EQ(s.refs(vm).size(), 1u);
    EXPECT_EQ(s.get(vm, ref)->at("name_label"), rpc::Value{"keep"});
    ObjectStore again(":memory:");  // unrelated store: no shared state between instances
    EXPECT_TRUE(again.refs(vm).empty());
}

TEST_F(ObjectStoreTest, BoundFieldsFollowCreateAndDestroy) {
    ObjectStore s(db());
    const int vm_cls = s.class_index("VM");
    const int vbd_cls = s.class_index("VBD");
    const std::string vm = make_vm_for_test(s, "a");
    const std::string vbd = make_ref();
    s.transact([&](Transaction& t) {
        rpc::Struct r = defaults(s, vbd_cls);
        r["VM"] = vm;
        t.create(vbd_cls, vbd, r);
    });
    EXPECT_EQ(s.get(vm_cls, vm)->at("VBDs"), rpc::Value{rpc::Array{rpc::Value{vbd}}});
    s.transact([&](Transaction& t) { t.destroy(vbd_cls, vbd); });
    EXPECT_EQ(s.get(vm_cls, vm)->at("VBDs"), rpc::Value{rpc::Array{}});
}

TEST_F(ObjectStoreTest, SessionsAreKeptInMemoryOnly) {
    const int session = [&] {
        ObjectStore s(db());
        const int cls = s.class_index("session");
        s.transact([&](Transaction& t) { t.create(cls, make_ref(), defaults(s, cls)); });
        EXPECT_EQ(s.refs(cls).size(), 1u);
        return cls;
    }();
    ObjectStore s(db());
    EXPECT_TRUE(s.refs(session).empty());
}

TEST_F(ObjectStoreTest, ANewerLayoutIsRefusedWithAClearMessage) {
    { ObjectStore s(db()); }
    exec(db(), "UPDATE tern_meta SET value = '99' WHERE key = 'schema_version'");
    try {
        ObjectStore s(db());
        FAIL() << "opened a database of a newer layout";
    } catch (const StoreError& e) {
        EXPECT_NE(std::string(e.what()).find("newer than this xapid supports"), std::string::npos);
    }
}

TEST_F(ObjectStoreTest, AnOlderDatabaseGainsTheColumnsOfNewFields) {
    std::string ref;
    {
        ObjectStore s(db());
        ref = make_vm_for_test(s, "old");
        EXPECT_EQ(s.schema_version(), ObjectStore::kSchemaVersion);
    }
    // As written by a build whose schema had no VM.tags yet.
    exec(db(), "ALTER TABLE \"VM\" DROP COLUMN \"tags\"");
    ObjectStore s(db());
    const int vm = s.class_index("VM");
    EXPECT_EQ(s.get(vm, ref)->at("tags"), rpc::Value{rpc::Array{}});
    EXPECT_EQ(s.get(vm, ref)->at("name_label"), rpc::Value{"old"});
    s.transact([&](Transaction& t) {
        t.set_field(vm, ref, s.field_index(vm, "tags"), rpc::Value{rpc::Array{rpc::Value{"x"}}});
    });
    ObjectStore reopened(db());
    EXPECT_EQ(reopened.get(vm, ref)->at("tags"), rpc::Value{rpc::Array{rpc::Value{"x"}}});
}

TEST_F(ObjectStoreTest, ADamagedFileIsRefused) {
    {
        FILE* f = std::fopen(db().c_str(), "w");
        std::fputs("this is not a database, it is text that goes on for a while......", f);
        std::fclose(f);
    }
    EXPECT_THROW(ObjectStore s(db()), StoreError);
}

TEST_F(ObjectStoreTest, ADeferredChangeIsInMemoryAtOnceAndOnDiskOnceTheWriterSaysSo) {
    std::string ref;
    {
        ObjectStore s(db());
        const int vm = s.class_index("VM");
        std::uint64_t change = 0;
        {
            DeferredDurability scope;
            ref = make_vm_for_test(s, "deferred");
            change = scope.newest();
        }
        EXPECT_GT(change, 0u);
        EXPECT_EQ(s.get(vm, ref)->at("name_label"), rpc::Value{"deferred"});
        std::promise<bool> durable;
        s.when_durable(change,
                       [&](const std::string* error) { durable.set_value(error == nullptr); });
        EXPECT_TRUE(durable.get_future().get());
        // Read by another connection while the store is open: the row is in the file.
        sqlite3* h = nullptr;
        ASSERT_EQ(sqlite3_open(db().c_str(), &h), SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        ASSERT_EQ(
            sqlite3_prepare_v2(h, "SELECT name_label FROM VM WHERE ref = ?", -1, &st, nullptr),
            SQLITE_OK);
        sqlite3_bind_text(st, 1, ref.c_str(), -1, SQLITE_TRANSIENT);
        ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
        EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "deferred");
        sqlite3_finalize(st);
        sqlite3_close(h);
    }
    ObjectStore again(db());
    EXPECT_TRUE(again.exists(again.class_index("VM"), ref));
}

TEST_F(ObjectStoreTest, ChangesOutsideADeferredScopeAreOnDiskWhenTransactReturns) {
    ObjectStore s(db());
    const int session = s.class_index("session");
    {
        DeferredDurability scope;
        // Sessions live in memory only: nothing to wait for.
        s.transact([&](Transaction& t) { t.create(session, make_ref(), defaults(s, session)); });
        EXPECT_EQ(scope.newest(), 0u);
    }
    make_vm_for_test(s, "sync");
    EXPECT_EQ(s.writer_stats().changes, 1u);
}

TEST_F(ObjectStoreTest, ACommitTheDiskRefusesIsAnErrorAndLaterChangesAreRefused) {
    std::string kept;
    {
        ObjectStore s(db());
        const int vm = s.class_index("VM");
        kept = make_vm_for_test(s, "kept");
        // The database itself refuses one row, as a full or failing disk would.
        exec(db(),
             "CREATE TRIGGER refuse BEFORE INSERT ON \"VM\" WHEN NEW.name_label = 'poison' "
             "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
        try {
            make_vm_for_test(s, "poison");
            FAIL() << "a change the disk refused was acknowledged";
        } catch (const StoreError& e) {
            EXPECT_NE(std::string(e.what()).find("refused by the test"), std::string::npos)
                << e.what();
        }
        EXPECT_THROW(make_vm_for_test(s, "later"), StoreError);
        // Readers still work.
        EXPECT_EQ(s.get(vm, kept)->at("name_label"), rpc::Value{"kept"});
    }
    exec(db(), "DROP TRIGGER refuse");
    ObjectStore s(db());
    const int vm = s.class_index("VM");
    ASSERT_EQ(s.refs(vm).size(), 1u);
    EXPECT_EQ(s.refs(vm)[0], kept);
}

TEST_F(ObjectStoreTest, EveryAcknowledgedChangeSurvivesAKill) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::close(pipe_fds[0]);
        try {
            make_changes_until_killed(db(), pipe_fds[1]);
        } catch (...) {
        }
        ::_exit(5);
    }
    ::close(pipe_fds[1]);
    FILE* acks = ::fdopen(pipe_fds[0], "r");
    std::vector<std::string> acknowledged;
    char line[256];
    while (acknowledged.size() < 300 && std::fgets(line, sizeof line, acks) != nullptr) {
        std::string ref(line);
        ref.pop_back();
        acknowledged.push_back(ref);
    }
    ::kill(child, SIGKILL);
    int status = 0;
    ::waitpid(child, &status, 0);
    // Acknowledgements already in the pipe when the kill came count too.
    while (std::fgets(line, sizeof line, acks) != nullptr) {
        std::string ref(line);
        ref.pop_back();
        acknowledged.push_back(ref);
    }
    std::fclose(acks);
    ASSERT_GE(acknowledged.size(), 300u);
    EXPECT_TRUE(WIFSIGNALED(status));
    ObjectStore s(db());
    const int vm = s.class_index("VM");
    for (const std::string& ref : acknowledged)
        EXPECT_TRUE(s.exists(vm, ref)) << ref << " was acknowledged and is lost";
}

}  // namespace
}  // namespace tern::xapi
