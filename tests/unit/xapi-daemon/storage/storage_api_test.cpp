// SR, VDI and PBD messages over the file SR in a test world.
#include <gtest/gtest.h>

#include <fstream>

#include "api/api_error.hpp"
#include "api/task_registry.hpp"
#include "storage/vdi_claims.hpp"
#include "storage_world_for_test.hpp"

namespace tern::xapi {
namespace {
namespace fs = std::filesystem;

std::vector<std::string> strings(const rpc::Value& v) {
    std::vector<std::string> out;
    for (const rpc::Value& e : v.as<rpc::Array>())
        out.push_back(e.as<std::string>());
    return out;
}

void set_power_state_for_test(StorageWorldForTest& w, const std::string& vm, const char* state) {
    const int cls = w.store.class_index("VM");
    w.store.transact([&](Transaction& txn) {
        txn.set_field(cls, vm, w.store.field_index(cls, "power_state"), rpc::Value{state});
    });
}

std::string make_vm_with_disk_for_test(StorageWorldForTest& w, const std::string& vdi) {
    const std::string vm =
        w.ok("VM.create", {rpc::Value{rpc::Struct{{"name_label", rpc::Value{"vm"}},
                                                  {"memory_static_max", rpc::Value{"268435456"}},
                                                  {"memory_dynamic_max", rpc::Value{"268435456"}},
                                                  {"memory_dynamic_min", rpc::Value{"268435456"}},
                                                  {"memory_static_min", rpc::Value{"0"}},
                                                  {"VCPUs_max", rpc::Value{"1"}},
                                                  {"VCPUs_at_startup", rpc::Value{"1"}}}}})
            .as<std::string>();
    w.ok("VBD.create", {rpc::Value{rpc::Struct{{"VM", rpc::Value{vm}},
                                               {"VDI", rpc::Value{vdi}},
                                               {"userdevice", rpc::Value{"0"}},
                                               {"mode", rpc::Value{"RW"}},
                                               {"type", rpc::Value{"Disk"}}}}});
    return vm;
}

TEST(StorageApi, TheLocalSrExistsAttachedAndIsTheDefault) {
    StorageWorldForTest w;
    const std::string sr = w.local_sr();
    EXPECT_EQ(w.field("SR", sr, "type"), "file");
    EXPECT_EQ(strings(w.ok("SR.get_supported_types", {})), std::vector<std::string>{"file"});
    const auto pbds = strings(w.ok("SR.get_PBDs", {rpc::Value{sr}}));
    ASSERT_EQ(pbds.size(), 1u);
    EXPECT_EQ(w.ok("PBD.get_currently_attached", {rpc::Value{pbds[0]}}), rpc::Value{true});
    EXPECT_EQ(w.ok("PBD.get_host", {rpc::Value{pbds[0]}}), rpc::Value{w.state.host_ref});
    const std::string pool = w.ok("pool.get_all", {}).as<rpc::Array>().at(0).as<std::string>();
    EXPECT_EQ(w.ok("pool.get_default_SR", {rpc::Value{pool}}), rpc::Value{sr});
    EXPECT_GT(std::stoll(w.field("SR", sr, "physical_size")), 0);
    EXPECT_TRUE(fs::exists(local_sr_dir(w.state) / "sr.json"));
}

TEST(StorageApi, VdiCreateMakesTheFileAndDestroyRemovesIt) {
    StorageWorldForTest w;
    const std::string sr = w.local_sr();
    const std::string vdi = w.make_vdi_for_test(sr, 16 << 20, "data");
    const fs::path location = w.field("VDI", vdi, "location");
    EXPECT_TRUE(fs::exists(location));
    EXPECT_EQ(location.filename(), w.field("VDI", vdi, "uuid") + ".qcow2");
    EXPECT_EQ(w.field("VDI", vdi, "virtual_size"), std::to_string(16 << 20));
    EXPECT_GT(std::stoll(w.field("VDI", vdi, "physical_utilisation")), 0);
    EXPECT_EQ(w.field("SR", sr, "virtual_allocation"), std::to_string(16 << 20));
    EXPECT_EQ(strings(w.ok("SR.get_VDIs", {rpc::Value{sr}})), std::vector<std::string>{vdi});
    w.ok("VDI.destroy", {rpc::Value{vdi}});
    EXPECT_FALSE(fs::exists(location));
    EXPECT_EQ(w.field("SR", sr, "virtual_allocation"), "0");
}

TEST(StorageApi, RawVdiOnRequest) {
    StorageWorldForTest w;
    const std::string vdi =
        w.make_vdi_for_test(w.local_sr(), 1 << 20, "raw",
                            {{"sm_config", rpc::Value{rpc::Struct{{"type", rpc::Value{"raw"}}}}}});
    EXPECT_EQ(fs::path(w.field("VDI", vdi, "location")).extension(), ".raw");
    EXPECT_EQ(w.fails("VDI.clone", {rpc::Value{vdi}, rpc::Value{rpc::Struct{}}}),
              (std::vector<std::string>{"SR_OPERATION_NOT_SUPPORTED", w.local_sr()}));
}

TEST(StorageApi, ScanBringsBackDisksWhoseRecordsWereLost) {
    StorageWorldForTest w;
    const std::string sr = w.local_sr();
    const std::string vdi = w.make_vdi_for_test(sr, 4 << 20, "precious");
    w.ok("VDI.set_name_description", {rpc::Value{vdi}, rpc::Value{"keep me"}});
    w.ok("VDI.add_to_other_config", {rpc::Value{vdi}, rpc::Value{"k"}, rpc::Value{"v"}});
    const std::string uuid = w.field("VDI", vdi, "uuid");
    const int cls = w.store.class_index("VDI");
    w.store.transact([&](Transaction& txn) { txn.destroy(cls, vdi); });
    EXPECT_TRUE(strings(w.ok("SR.get_VDIs", {rpc::Value{sr}})).empty());

    w.ok("SR.scan", {rpc::Value{sr}});
    const std::string back = w.ok("VDI.get_by_uuid", {rpc::Value{uuid}}).as<std::string>();
    EXPECT_EQ(w.field("VDI", back, "name_label"), "precious");
    EXPECT_EQ(w.field("VDI", back, "name_description"), "keep me");
    const rpc::Value other_config{rpc::Struct{{"k", rpc::Value{"v"}}}};
    EXPECT_EQ(w.ok("VDI.get_other_config", {rpc::Value{back}}), other_config);
    EXPECT_EQ(w.field("VDI", back, "virtual_size"), std::to_string(4 << 20));
}

TEST(StorageApi, ALostDatabaseFindsTheLocalSrAndItsDisksAgain) {
    StorageWorldForTest w;
    const std::string sr = w.local_sr();
    const std::string sr_uuid = w.field("SR", sr, "uuid");
    const std::string uuid = w.field("VDI", w.make_vdi_for_test(sr, 1 << 20, "survivor"), "uuid");
    // Every storage record goes, as with a new database.
    w.store.transact([&](Transaction& txn) {
        for (const char* cls : {"VDI", "PBD", "SR"}) {
            const int c = w.store.class_index(cls);
            for (const std::string& r : txn.refs(c))
                txn.destroy(c, r);
        }
    });
    start_storage(w.state);
    EXPECT_EQ(w.field("SR", w.local_sr(), "uuid"), sr_uuid);
    const std::string back = w.ok("VDI.get_by_uuid", {rpc::Value{uuid}}).as<std::string>();
    EXPECT_EQ(w.field("VDI", back, "name_label"), "survivor");
}

TEST(StorageApi, SnapshotAndCloneAreLinked) {
    StorageWorldForTest w;
    const std::string sr = w.local_sr();
    const std::string vdi = w.make_vdi_for_test(sr, 2 << 20, "origin");
    const std::string snap =
        w.ok("VDI.snapshot", {rpc::Value{vdi}, rpc::Value{rpc::Struct{}}}).as<std::string>();
    EXPECT_EQ(w.ok("VDI.get_is_a_snapshot", {rpc::Value{snap}}), rpc::Value{true});
    EXPECT_EQ(w.ok("VDI.get_read_only", {rpc::Value{snap}}), rpc::Value{true});
    EXPECT_EQ(w.ok("VDI.get_snapshot_of", {rpc::Value{snap}}), rpc::Value{vdi});
    EXPECT_EQ(strings(w.ok("VDI.get_snapshots", {rpc::Value{vdi}})),
              std::vector<std::string>{snap});
    const std::string clone =
        w.ok("VDI.clone", {rpc::Value{vdi}, rpc::Value{rpc::Struct{}}}).as<std::string>();
    EXPECT_EQ(w.ok("VDI.get_parent", {rpc::Value{clone}}), rpc::Value{vdi});
    EXPECT_EQ(w.ok("VDI.get_is_a_snapshot", {rpc::Value{clone}}), rpc::Value{false});
    EXPECT_EQ(w.field("VDI", clone, "virtual_size"), std::to_string(2 << 20));

    // The links survive a lost database: they are in the sidecars.
    const std::string snap_uuid = w.field("VDI", snap, "uuid");
    const int cls = w.store.class_index("VDI");
    w.store.transact([&](Transaction& txn) {
        for (const std::string& r : txn.refs(cls))
            txn.destroy(cls, r);
    });
    w.ok("SR.scan", {rpc::Value{sr}});
    const std::string snap2 = w.ok("VDI.get_by_uuid", {rpc::Value{snap_uuid}}).as<std::string>();
    const std::string origin2 = w.ok("VDI.get_snapshot_of", {rpc::Value{snap2}}).as<std::string>();
    EXPECT_EQ(w.field("VDI", origin2, "name_label"), "origin");
    EXPECT_EQ(strings(w.ok("VDI.get_snapshots", {rpc::Value{origin2}})),
              std::vector<std::string>{snap2});

    w.ok("VDI.destroy", {rpc::Value{snap2}});
    EXPECT_TRUE(strings(w.ok("VDI.get_snapshots", {rpc::Value{origin2}})).empty());
}

TEST(StorageApi, ResizeGrowsAndKnowsItsErrors) {
    StorageWorldForTest w;
    const std::string vdi = w.make_vdi_for_test(w.local_sr(), 1 << 20, "grow");
    w.ok("VDI.resize", {rpc::Value{vdi}, rpc::Value{std::to_string(8 << 20)}});
    EXPECT_EQ(w.field("VDI", vdi, "virtual_size"), std::to_string(8 << 20));
    EXPECT_EQ(w.fails("VDI.resize", {rpc::Value{vdi}, rpc::Value{"1048576"}})[0],
              "VALUE_NOT_SUPPORTED");
    w.ok("VDI.set_read_only", {rpc::Value{vdi}, rpc::Value{true}});
    EXPECT_EQ(w.fails("VDI.resize", {rpc::Value{vdi}, rpc::Value{"16777216"}}),
              (std::vector<std::string>{"VDI_READONLY", vdi}));
}

TEST(StorageApi, AVdiOfARunningVmIsInUse) {
    StorageWorldForTest w;
    const std::string vdi = w.make_vdi_for_test(w.local_sr(), 1 << 20, "busy");
    const std::string vm = make_vm_with_disk_for_test(w, vdi);
    set_power_state_for_test(w, vm, "Running");
    EXPECT_EQ(w.fails("VDI.destroy", {rpc::Value{vdi}}),
              (std::vector<std::string>{"VDI_IN_USE", vdi, "destroy"}));
    EXPECT_EQ(w.fails("VDI.resize", {rpc::Value{vdi}, rpc::Value{"16777216"}})[0], "VDI_IN_USE");
    EXPECT_EQ(w.fails("VDI.snapshot", {rpc::Value{vdi}, rpc::Value{rpc::Struct{}}})[0],
              "VDI_IN_USE");
    EXPECT_EQ(w.fails("SR.forget", {rpc::Value{w.local_sr()}})[0], "VDI_IN_USE");
    set_power_state_for_test(w, vm, "Halted");
    w.ok("VDI.resize", {rpc::Value{vdi}, rpc::Value{"16777216"}});
}

TEST(StorageApi, OperationsOfOneVdiDoNotOverlap) {
    StorageWorldForTest w;
    const std::string sr = w.local_sr();
    const std::string vdi = w.make_vdi_for_test(sr, 1 << 20, "busy");
    {
        VdiClaim importing(vdi, VdiClaim::Mode::exclusive, "import");
        EXPECT_EQ(w.fails("VDI.snapshot", {rpc::Value{vdi}, rpc::Value{rpc::Struct{}}}),
                  (std::vector<std::string>{"VDI_IN_USE", vdi, "snapshot"}));
        EXPECT_EQ(w.fails("VDI.copy", {rpc::Value{vdi}, rpc::Value{sr}})[0], "VDI_IN_USE");
        EXPECT_EQ(w.fails("VDI.destroy", {rpc::Value{vdi}})[0], "VDI_IN_USE");
    }
    {
        VdiClaim exporting(vdi, VdiClaim::Mode::shared, "export");
        w.ok("VDI.copy", {rpc::Value{vdi}, rpc::Value{sr}});  // readers share
        EXPECT_EQ(w.fails("VDI.resize", {rpc::Value{vdi}, rpc::Value{"4194304"}})[0], "VDI_IN_USE");
    }
    w.ok("VDI.resize", {rpc::Value{vdi}, rpc::Value{"4194304"}});
}

TEST(StorageApi, ACancelledCopyLeavesNothingBehind) {
    StorageWorldForTest w;
    const std::string sr = w.local_sr();
    const std::string vdi = w.make_vdi_for_test(sr, 8 << 20, "source");
    auto files = [&] {
        return std::distance(fs::directory_iterator(local_sr_dir(w.state)),
                             fs::directory_iterator());
    };
    const auto before = files();
    auto task = std::make_shared<RunningTask>("OpaqueRef:cancelled-task");
    task->cancel_requested = true;
    CallContext ctx(w.state, w.local_root);
    ctx.set_task(task);
    try {
        w.vdi_handlers.copy(ctx, Ref{vdi}, Ref{sr});
        FAIL() << "the cancelled copy finished";
    } catch (const ApiError& e) {
        EXPECT_EQ(e.code(), "TASK_CANCELLED");
        EXPECT_EQ(e.params(), std::vector<std::string>{"OpaqueRef:cancelled-task"});
    }
    EXPECT_EQ(files(), before);
    EXPECT_EQ(strings(w.ok("SR.get_VDIs", {rpc::Value{sr}})).size(), 1u);
}

TEST(StorageApi, VmCloneAndCopyTakeTheirDisksAlong) {
    StorageWorldForTest w;
    const std::string sr = w.local_sr();
    const std::string vdi = w.make_vdi_for_test(sr, 1 << 20, "system");
    const std::string vm = make_vm_with_disk_for_test(w, vdi);
    auto disk_of = [&](const std::string& v) {
        const auto vbds = strings(w.ok("VM.get_VBDs", {rpc::Value{v}}));
        EXPECT_EQ(vbds.size(), 1u);
        return w.ok("VBD.get_VDI", {rpc::Value{vbds.at(0)}}).as<std::string>();
    };
    const std::string clone =
        w.ok("VM.clone", {rpc::Value{vm}, rpc::Value{"clone"}}).as<std::string>();
    const std::string cloned = disk_of(clone);
    EXPECT_NE(cloned, vdi);
    EXPECT_EQ(w.ok("VDI.get_parent", {rpc::Value{cloned}}), rpc::Value{vdi});
    const std::string copy =
        w.ok("VM.copy", {rpc::Value{vm}, rpc::Value{"copy"}, rpc::Value{std::string(kNullRef)}})
            .as<std::string>();
    const std::string copied = disk_of(copy);
    EXPECT_NE(copied, vdi);
    EXPECT_EQ(w.ok("VDI.get_SR", {rpc::Value{copied}}), rpc::Value{sr});
    EXPECT_EQ(w.ok("VDI.get_parent", {rpc::Value{copied}}), rpc::Value{std::string(kNullRef)});
}

TEST(StorageApi, CreateAndDestroyAnotherSr) {
    StorageWorldForTest w;
    const fs::path dir = w.state_dir / "second";
    const std::string sr =
        w.ok("SR.create",
             {rpc::Value{w.state.host_ref},
              rpc::Value{rpc::Struct{{"path", rpc::Value{dir.string()}}}}, rpc::Value{"0"},
              rpc::Value{"second"}, rpc::Value{""}, rpc::Value{"file"}, rpc::Value{"user"},
              rpc::Value{false}, rpc::Value{rpc::Struct{}}})
            .as<std::string>();
    EXPECT_TRUE(fs::exists(dir / "sr.json"));
    const std::string vdi = w.make_vdi_for_test(sr, 1 << 20, "in second");
    const std::string copy =
        w.ok("VDI.copy", {rpc::Value{vdi}, rpc::Value{w.local_sr()}}).as<std::string>();
    EXPECT_EQ(w.ok("VDI.get_SR", {rpc::Value{copy}}), rpc::Value{w.local_sr()});
    EXPECT_EQ(
        w.fails("SR.create", {rpc::Value{w.state.host_ref}, rpc::Value{rpc::Struct{}},
                              rpc::Value{"0"}, rpc::Value{"x"}, rpc::Value{""}, rpc::Value{"nfs"},
                              rpc::Value{"user"}, rpc::Value{false}, rpc::Value{rpc::Struct{}}}),
        (std::vector<std::string>{"SR_UNKNOWN_DRIVER", "nfs"}));
    w.ok("SR.destroy", {rpc::Value{sr}});
    EXPECT_FALSE(fs::exists(dir));
    EXPECT_EQ(w.fails("VDI.get_uuid", {rpc::Value{vdi}})[0], "HANDLE_INVALID");
}

TEST(StorageApi, ForgetIntroducePlugFindsTheDisksAgain) {
    StorageWorldForTest w;
    const fs::path dir = w.state_dir / "movable";
    const std::string sr =
        w.ok("SR.create",
             {rpc::Value{w.state.host_ref},
              rpc::Value{rpc::Struct{{"path", rpc::Value{dir.string()}}}}, rpc::Value{"0"},
              rpc::Value{"movable"}, rpc::Value{""}, rpc::Value{"file"}, rpc::Value{"user"},
              rpc::Value{false}, rpc::Value{rpc::Struct{}}})
            .as<std::string>();
    const std::string sr_uuid = w.field("SR", sr, "uuid");
    const std::string uuid = w.field("VDI", w.make_vdi_for_test(sr, 1 << 20, "kept"), "uuid");
    w.ok("SR.forget", {rpc::Value{sr}});
    EXPECT_TRUE(fs::exists(dir / (uuid + ".qcow2")));
    EXPECT_EQ(w.fails("VDI.get_by_uuid", {rpc::Value{uuid}})[0], "UUID_INVALID");

    const std::string again =
        w.ok("SR.introduce",
             {rpc::Value{sr_uuid}, rpc::Value{"movable"}, rpc::Value{""}, rpc::Value{"file"},
              rpc::Value{"user"}, rpc::Value{false}, rpc::Value{rpc::Struct{}}})
            .as<std::string>();
    // Without a PBD there is nowhere to put a disk.
    EXPECT_EQ(
        w.fails("VDI.create", {rpc::Value{rpc::Struct{{"SR", rpc::Value{again}},
                                                      {"virtual_size", rpc::Value{"1048576"}}}}}),
        (std::vector<std::string>{"SR_HAS_NO_PBDS", again}));
    EXPECT_EQ(w.fails("SR.scan", {rpc::Value{again}})[0], "SR_HAS_NO_PBDS");
    const std::string pbd =
        w.ok("PBD.create",
             {rpc::Value{rpc::Struct{
                 {"host", rpc::Value{w.state.host_ref}},
                 {"SR", rpc::Value{again}},
                 {"device_config", rpc::Value{rpc::Struct{{"path", rpc::Value{dir.string()}}}}}}}})
            .as<std::string>();
    EXPECT_EQ(w.fails("SR.scan", {rpc::Value{again}})[0], "SR_NOT_ATTACHED");
    w.ok("PBD.plug", {rpc::Value{pbd}});
    const std::string back = w.ok("VDI.get_by_uuid", {rpc::Value{uuid}}).as<std::string>();
    EXPECT_EQ(w.field("VDI", back, "name_label"), "kept");
    EXPECT_EQ(w.fails("PBD.destroy", {rpc::Value{pbd}})[0], "OPERATION_NOT_ALLOWED");
    w.ok("PBD.unplug", {rpc::Value{pbd}});
    w.ok("PBD.destroy", {rpc::Value{pbd}});
}

TEST(StorageApi, AVdiWhoseFileWentIsMissing) {
    StorageWorldForTest w;
    const std::string sr = w.local_sr();
    const std::string vdi = w.make_vdi_for_test(sr, 1 << 20, "gone");
    fs::remove(w.field("VDI", vdi, "location"));
    w.ok("SR.scan", {rpc::Value{sr}});
    EXPECT_EQ(w.ok("VDI.get_missing", {rpc::Value{vdi}}), rpc::Value{true});
    EXPECT_EQ(w.fails("VDI.copy", {rpc::Value{vdi}, rpc::Value{sr}})[0], "VDI_MISSING");
    w.ok("VDI.destroy", {rpc::Value{vdi}});
}

TEST(StorageApi, ProvisionMakesATemplatesDisks) {
    StorageWorldForTest w;
    const std::string vm =
        w.ok("VM.create",
             {rpc::Value{rpc::Struct{
                 {"name_label", rpc::Value{"tmpl"}},
                 {"is_a_template", rpc::Value{true}},
                 {"memory_static_max", rpc::Value{"268435456"}},
                 {"memory_dynamic_max", rpc::Value{"268435456"}},
                 {"memory_dynamic_min", rpc::Value{"268435456"}},
                 {"memory_static_min", rpc::Value{"0"}},
                 {"VCPUs_max", rpc::Value{"1"}},
                 {"VCPUs_at_startup", rpc::Value{"1"}},
                 {"other_config",
                  rpc::Value{rpc::Struct{
                      {"disks", rpc::Value{"<provision><disk device=\"0\" size=\"2097152\" "
                                           "sr=\"\" bootable=\"true\" type=\"system\"/>"
                                           "</provision>"}}}}}}}})
            .as<std::string>();
    w.ok("VM.provision", {rpc::Value{vm}});
    const auto vbds = strings(w.ok("VM.get_VBDs", {rpc::Value{vm}}));
    ASSERT_EQ(vbds.size(), 1u);
    EXPECT_EQ(w.field("VBD", vbds[0], "userdevice"), "0");
    EXPECT_EQ(w.ok("VBD.get_bootable", {rpc::Value{vbds[0]}}), rpc::Value{true});
    const std::string vdi = w.ok("VBD.get_VDI", {rpc::Value{vbds[0]}}).as<std::string>();
    EXPECT_EQ(w.field("VDI", vdi, "virtual_size"), "2097152");
    EXPECT_EQ(w.field("VDI", vdi, "type"), "system");
    EXPECT_TRUE(fs::exists(w.field("VDI", vdi, "location")));
    EXPECT_FALSE(w.ok("VM.get_other_config", {rpc::Value{vm}}).as<rpc::Struct>().contains("disks"));
}

}  // namespace
}  // namespace tern::xapi
