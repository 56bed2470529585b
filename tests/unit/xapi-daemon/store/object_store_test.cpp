// Tests of the object store: persistence across reopen, transactions that roll back, bound
// fields, and the layout version and migrations.
#include "store/object_store.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

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

}  // namespace
}  // namespace tern::xapi
