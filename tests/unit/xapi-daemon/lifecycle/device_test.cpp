// Hot-plug of VIFs and VBDs into a running VM, and the CD drive's media.
#include <gtest/gtest.h>

#include <algorithm>

#include "api/marshal.hpp"
#include "api/ref.hpp"
#include "lifecycle_world_for_test.hpp"

namespace tern::xapi {
namespace {

struct DeviceTest : ::testing::Test {
    LifecycleWorldForTest world;
    std::string vm = world.make_vm("a");
    std::string net =
        world
            .ok("network.create", {rpc::Value{rpc::Struct{{"name_label", rpc::Value{"lan"}},
                                                          {"bridge", rpc::Value{"xenbr1"}}}}})
            .as<std::string>();

    DomainInfo domain() {
        auto info = world.sim.domain_info(DomainId{static_cast<std::int32_t>(world.domid(vm))});
        EXPECT_TRUE(info);
        return *info;
    }
    // A disc image, made straight in the store (its storage is another component's).
    std::string make_vdi(const std::string& location) {
        const int cls = world.store.class_index("VDI");
        const std::string ref = make_ref();
        world.store.transact([&](Transaction& txn) {
            rpc::Struct r;
            for (const FieldDesc& f : world.store.class_desc(cls).fields)
                r.emplace(f.name, default_value(f));
            r["uuid"] = make_uuid();
            r["location"] = location;
            txn.create(cls, ref, std::move(r));
        });
        return ref;
    }
};

TEST_F(DeviceTest, AVifIsPluggedWithTheVmAndHotPluggedWhileItRuns) {
    const std::string boot_nic =
        world
            .ok("VIF.create", {rpc::Value{rpc::Struct{{"VM", rpc::Value{vm}},
                                                      {"network", rpc::Value{net}},
                                                      {"device", rpc::Value{"0"}}}}})
            .as<std::string>();
    world.ok("VM.start", {rpc::Value{vm}, rpc::Value{false}});
    EXPECT_EQ(world.field("VIF", boot_nic, "currently_attached"), rpc::Value{true});

    const std::string hot =
        world
            .ok("VIF.create", {rpc::Value{rpc::Struct{{"VM", rpc::Value{vm}},
                                                      {"network", rpc::Value{net}},
                                                      {"device", rpc::Value{"1"}}}}})
            .as<std::string>();
    EXPECT_EQ(world.field("VIF", hot, "currently_attached"), rpc::Value{false});
    world.ok("VIF.plug", {rpc::Value{hot}});
    EXPECT_EQ(world.field("VIF", hot, "currently_attached"), rpc::Value{true});
    EXPECT_EQ(world.fails("VIF.plug", {rpc::Value{hot}}),
              (Strings{"DEVICE_ALREADY_ATTACHED", hot}));
    EXPECT_EQ(world.fails("VIF.destroy", {rpc::Value{hot}})[0], "OPERATION_NOT_ALLOWED");
    world.ok("VIF.unplug", {rpc::Value{hot}});
    EXPECT_EQ(world.fails("VIF.unplug", {rpc::Value{hot}}),
              (Strings{"DEVICE_ALREADY_DETACHED", hot}));
    world.ok("VIF.destroy", {rpc::Value{hot}});

    world.ok("VM.hard_shutdown", {rpc::Value{vm}});
    EXPECT_EQ(world.fails("VIF.plug", {rpc::Value{boot_nic}}),
              (Strings{"VM_BAD_POWER_STATE", vm, "Running", "Halted"}));
}

TEST_F(DeviceTest, CdMediaGoInAndOut) {
    const std::string cd =
        world
            .ok("VBD.create", {rpc::Value{rpc::Struct{{"VM", rpc::Value{vm}},
                                                      {"userdevice", rpc::Value{"3"}},
                                                      {"type", rpc::Value{"CD"}},
                                                      {"mode", rpc::Value{"RO"}},
                                                      {"empty", rpc::Value{true}}}}})
            .as<std::string>();
    const std::string iso = make_vdi("/isos/debian.iso");
    world.ok("VM.start", {rpc::Value{vm}, rpc::Value{false}});
    EXPECT_EQ(world.fails("VBD.eject", {rpc::Value{cd}}), (Strings{"VBD_IS_EMPTY", cd}));
    world.ok("VBD.insert", {rpc::Value{cd}, rpc::Value{iso}});
    EXPECT_EQ(world.field("VBD", cd, "VDI"), rpc::Value{iso});
    EXPECT_EQ(world.field("VBD", cd, "empty"), rpc::Value{false});
    EXPECT_EQ(world.fails("VBD.insert", {rpc::Value{cd}, rpc::Value{iso}}),
              (Strings{"VBD_NOT_EMPTY", cd}));
    world.ok("VBD.eject", {rpc::Value{cd}});
    EXPECT_EQ(world.field("VBD", cd, "empty"), rpc::Value{true});
    world.ok("VBD.media_change", {rpc::Value{cd}, rpc::Value{iso}});
    EXPECT_EQ(world.field("VBD", cd, "VDI"), rpc::Value{iso});

    const std::string disk =
        world
            .ok("VBD.create", {rpc::Value{rpc::Struct{{"VM", rpc::Value{vm}},
                                                      {"VDI", rpc::Value{make_vdi("/d.img")}},
                                                      {"userdevice", rpc::Value{"1"}},
                                                      {"type", rpc::Value{"Disk"}},
                                                      {"mode", rpc::Value{"RW"}}}}})
            .as<std::string>();
    EXPECT_EQ(world.fails("VBD.eject", {rpc::Value{disk}}),
              (Strings{"VBD_NOT_REMOVABLE_MEDIA", disk}));
    world.ok("VBD.plug", {rpc::Value{disk}});
    EXPECT_EQ(world.field("VBD", disk, "currently_attached"), rpc::Value{true});
    // The simulated domain now has the disk: plugging its device again is refused there too.
    EXPECT_EQ(world.sim
                  .attach_disk(DomainId{static_cast<std::int32_t>(world.domid(vm))},
                               DiskConfig{"1", "/x", false, false})
                  .error()
                  .code,
              "DEVICE_ALREADY_ATTACHED");
    world.ok("VBD.unplug", {rpc::Value{disk}});
    EXPECT_EQ(world.field("VBD", disk, "currently_attached"), rpc::Value{false});
}

}  // namespace
}  // namespace tern::xapi
