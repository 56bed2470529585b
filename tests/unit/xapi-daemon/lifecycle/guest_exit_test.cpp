// Guests that stop by themselves: the VM's actions_after_* decide what follows.
#include <gtest/gtest.h>

#include <filesystem>

#include "lifecycle_world_for_test.hpp"

namespace tern::xapi {
namespace {

struct GuestExitTest : ::testing::Test {
    LifecycleWorldForTest world;

    std::string running_vm(rpc::Struct actions) {
        const std::string vm = world.make_vm("guest", 128, std::move(actions));
        world.ok("VM.start", {rpc::Value{vm}, rpc::Value{false}});
        return vm;
    }
    DomainId domain(const std::string& vm) {
        return DomainId{static_cast<std::int32_t>(world.domid(vm))};
    }
    void exit(const std::string& vm, const char* how) {
        world.ok("debug.sim_guest_exit", {rpc::Value{vm}, rpc::Value{how}});
    }
};

TEST_F(GuestExitTest, PowerOffWithDestroyHaltsTheVm) {
    const std::string vm = running_vm({{"actions_after_shutdown", rpc::Value{"destroy"}}});
    exit(vm, "poweroff");
    EXPECT_EQ(world.power(vm), "Halted");
    EXPECT_EQ(world.domid(vm), -1);
    EXPECT_TRUE(world.sim.list_domains().empty());
}

TEST_F(GuestExitTest, PowerOffWithRestartBootsANewDomain) {
    const std::string vm = running_vm({{"actions_after_shutdown", rpc::Value{"restart"}}});
    const DomainId before = domain(vm);
    exit(vm, "poweroff");
    EXPECT_EQ(world.power(vm), "Running");
    EXPECT_GT(domain(vm), before);
    EXPECT_EQ(world.sim.list_domains().size(), 1u);
}

TEST_F(GuestExitTest, RebootRestartsOrDestroysAsConfigured) {
    const std::string restarts = running_vm({});  // restart is the default
    const DomainId before = domain(restarts);
    exit(restarts, "reboot");
    EXPECT_EQ(world.power(restarts), "Running");
    EXPECT_NE(domain(restarts), before);
    const std::string stops = running_vm({{"actions_after_reboot", rpc::Value{"destroy"}}});
    exit(stops, "reboot");
    EXPECT_EQ(world.power(stops), "Halted");
}

TEST_F(GuestExitTest, CrashActions) {
    const std::string preserved = running_vm({{"actions_after_crash", rpc::Value{"preserve"}}});
    const DomainId kept = domain(preserved);
    exit(preserved, "crash");
    EXPECT_EQ(world.power(preserved), "Paused");
    EXPECT_EQ(domain(preserved), kept);
    EXPECT_EQ(world.sim.domain_info(kept)->state, DomainState::crashed);
    world.ok("VM.hard_shutdown", {rpc::Value{preserved}});
    EXPECT_FALSE(world.sim.domain_info(kept));

    const std::string dumped =
        running_vm({{"actions_after_crash", rpc::Value{"coredump_and_destroy"}}});
    exit(dumped, "crash");
    EXPECT_EQ(world.power(dumped), "Halted");
    const std::string uuid = world.field("VM", dumped, "uuid").as<std::string>();
    EXPECT_TRUE(std::filesystem::exists(world.state_dir / "crashdumps" / (uuid + ".core")));

    const std::string renamed = running_vm({{"actions_after_crash", rpc::Value{"rename_restart"}}});
    const DomainId crashed = domain(renamed);
    exit(renamed, "crash");
    EXPECT_EQ(world.power(renamed), "Running");
    EXPECT_NE(domain(renamed), crashed);
    auto old = world.sim.domain_info(crashed);
    ASSERT_TRUE(old) << "the crashed domain is kept for inspection";
    EXPECT_TRUE(old->name.find("-crashed-") != std::string::npos);
}

TEST_F(GuestExitTest, AVanishedDomainLeavesItsVmHalted) {
    const std::string vm = running_vm({{"actions_after_shutdown", rpc::Value{"restart"}}});
    exit(vm, "vanished");
    EXPECT_EQ(world.power(vm), "Halted");
}

TEST_F(GuestExitTest, OnlyRunningGuestsCanExit) {
    const std::string vm = world.make_vm("halted");
    EXPECT_EQ(world.fails("debug.sim_guest_exit", {rpc::Value{vm}, rpc::Value{"crash"}})[0],
              "VM_BAD_POWER_STATE");
    EXPECT_EQ(world.fails("debug.sim_guest_exit", {rpc::Value{vm}, rpc::Value{"melt"}}),
              (Strings{"INVALID_VALUE", "how", "melt"}));
}

}  // namespace
}  // namespace tern::xapi
