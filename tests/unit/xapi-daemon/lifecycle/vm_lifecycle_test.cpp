// The VM state machine over the sim backend: every power state against every life-cycle
// message, the fields that follow a transition (domid, metrics, allowed_operations), the
// errors with their parameters, creation checks, templates and the start-up reconciliation.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "lifecycle/operation_slot.hpp"
#include "lifecycle_world_for_test.hpp"

namespace tern::xapi {
namespace {

struct Case {
    const char* message;
    rpc::Array extra;                            // arguments after the VM
    std::map<std::string, std::string> outcome;  // from state -> end state; absent: refused
    const char* expected;                        // VM_BAD_POWER_STATE's expected states
};

const std::vector<Case>& cases() {
    static const std::vector<Case> all = {
        {"VM.start", {rpc::Value{false}}, {{"Halted", "Running"}}, "Halted"},
        {"VM.pause", {}, {{"Running", "Paused"}}, "Running"},
        {"VM.unpause", {}, {{"Paused", "Running"}}, "Paused"},
        {"VM.clean_shutdown", {}, {{"Running", "Halted"}}, "Running"},
        {"VM.clean_reboot", {}, {{"Running", "Running"}}, "Running"},
        {"VM.hard_shutdown",
         {},
         {{"Running", "Halted"}, {"Paused", "Halted"}, {"Suspended", "Halted"}},
         "Paused, Running, Suspended"},
        {"VM.hard_reboot", {}, {{"Running", "Running"}, {"Paused", "Running"}}, "Paused, Running"},
        {"VM.suspend", {}, {{"Running", "Suspended"}}, "Running"},
        {"VM.resume", {rpc::Value{false}}, {{"Suspended", "Running"}}, "Suspended"},
        {"VM.send_sysrq", {rpc::Value{"s"}}, {{"Running", "Running"}}, "Running"},
        {"VM.send_trigger", {rpc::Value{"nmi"}}, {{"Running", "Running"}}, "Running"},
    };
    return all;
}

struct VmLifecycleTest : ::testing::Test {
    LifecycleWorldForTest world;

    // A new VM brought into `state` through the API.
    std::string vm_in(const std::string& state) {
        const std::string vm = world.make_vm("vm-" + state);
        if (state == "Halted")
            return vm;
        world.ok("VM.start", {rpc::Value{vm}, rpc::Value{state == "Paused"}});
        if (state == "Suspended")
            world.ok("VM.suspend", {rpc::Value{vm}});
        EXPECT_EQ(world.power(vm), state);
        return vm;
    }
};

TEST_F(VmLifecycleTest, EveryMessageInEveryPowerState) {
    for (const Case& c : cases()) {
        for (const std::string state : {"Halted", "Paused", "Running", "Suspended"}) {
            SCOPED_TRACE(std::string(c.message) + " in " + state);
            const std::string vm = vm_in(state);
            rpc::Array args{rpc::Value{vm}};
            args.insert(args.end(), c.extra.begin(), c.extra.end());
            auto end = c.outcome.find(state);
            if (end == c.outcome.end()) {
                EXPECT_EQ(world.fails(c.message, args),
                          (Strings{"VM_BAD_POWER_STATE", vm, c.expected, state}));
                EXPECT_EQ(world.power(vm), state);
            } else {
                world.ok(c.message, args);
                EXPECT_EQ(world.power(vm), end->second);
            }
            EXPECT_TRUE(world.field("VM", vm, "current_operations").as<rpc::Struct>().empty());
        }
    }
}

TEST_F(VmLifecycleTest, TheFieldsFollowTheDomain) {
    const std::string vm = world.make_vm("a", 512);
    EXPECT_EQ(world.domid(vm), -1);
    EXPECT_EQ(world.allowed(vm),
              (Strings{"clone", "copy", "destroy", "migrate_send", "provision", "start"}));
    world.ok("VM.start", {rpc::Value{vm}, rpc::Value{false}});
    const std::int64_t first = world.domid(vm);
    EXPECT_GT(first, 0);
    EXPECT_EQ(world.field("VM", vm, "resident_on").as<std::string>(), world.state.host_ref);
    const std::string m = world.metrics(vm);
    EXPECT_EQ(world.field("VM_metrics", m, "memory_actual").as<std::int64_t>(), 512 * kMiB);
    EXPECT_EQ(world.field("VM_metrics", m, "VCPUs_number").as<std::int64_t>(), 1);
    EXPECT_EQ(world.field("VM_metrics", m, "VCPUs_utilisation").as<rpc::Struct>().size(), 1u);
    EXPECT_EQ(world.field("VM_metrics", m, "state"),
              (rpc::Value{rpc::Array{rpc::Value{"running"}}}));
    EXPECT_EQ(world.allowed(vm),
              (Strings{"changing_VCPUs_live", "changing_memory_live", "clean_reboot",
                       "clean_shutdown", "hard_reboot", "hard_shutdown", "migrate_send", "pause",
                       "pool_migrate", "send_sysrq", "send_trigger", "suspend"}));
    // The host's free memory follows.
    const std::string host_metrics =
        world.field("host", world.state.host_ref, "metrics").as<std::string>();
    EXPECT_EQ(world.field("host_metrics", host_metrics, "memory_free").as<std::int64_t>(),
              (8LL << 30) - 512 * kMiB);

    world.ok("VM.hard_reboot", {rpc::Value{vm}});
    EXPECT_GT(world.domid(vm), first) << "a reboot makes a new domain";
    world.ok("VM.suspend", {rpc::Value{vm}});
    EXPECT_EQ(world.domid(vm), -1);
    EXPECT_EQ(world.field("VM_metrics", m, "memory_actual").as<std::int64_t>(), 0);
    EXPECT_EQ(world.field("host_metrics", host_metrics, "memory_free").as<std::int64_t>(),
              8LL << 30);
    world.ok("VM.resume", {rpc::Value{vm}, rpc::Value{true}});
    EXPECT_EQ(world.power(vm), "Paused");
    EXPECT_EQ(world.field("VM_metrics", m, "state"),
              (rpc::Value{rpc::Array{rpc::Value{"paused"}}}));
    world.ok("VM.hard_shutdown", {rpc::Value{vm}});
    EXPECT_EQ(world.field("VM", vm, "resident_on").as<std::string>(), kNullRef);
    EXPECT_TRUE(world.sim.list_domains().empty());
}

TEST_F(VmLifecycleTest, AnOperationInProgressRefusesAnother) {
    const std::string vm = vm_in("Running");
    OperationSlot slot(world.store, vm, VmOperations::clean_shutdown, "OpaqueRef:busy");
    EXPECT_TRUE(world.allowed(vm).empty());
    EXPECT_EQ(
        world.fails("VM.pause", {rpc::Value{vm}}),
        (Strings{"OTHER_OPERATION_IN_PROGRESS", "VM", vm, "clean_shutdown", "OpaqueRef:busy"}));
    EXPECT_EQ(world.fails("VM.destroy", {rpc::Value{vm}})[0], "OTHER_OPERATION_IN_PROGRESS");
}

TEST_F(VmLifecycleTest, WhatDoesNotFitIsRefusedAndTheVmStaysHalted) {
    const std::string big = world.make_vm("big", 9 * 1024);
    EXPECT_EQ(world.fails("VM.start", {rpc::Value{big}, rpc::Value{false}}),
              (Strings{"HOST_NOT_ENOUGH_FREE_MEMORY", std::to_string(9 * 1024 * kMiB),
                       std::to_string(8LL << 30)}));
    EXPECT_EQ(world.power(big), "Halted");
    EXPECT_TRUE(world.field("VM", big, "current_operations").as<rpc::Struct>().empty());
    EXPECT_FALSE(world.allowed(big).empty());
}

TEST_F(VmLifecycleTest, InjectedBackendFailuresLeaveTheVmAsItWas) {
    const std::string vm = vm_in("Running");
    world.ok("debug.sim_inject_failure",
             {rpc::Value{"suspend"}, rpc::Value{"VM_NO_SUSPEND_SR"}, rpc::Value{"1"}});
    EXPECT_EQ(world.fails("VM.suspend", {rpc::Value{vm}})[0], "VM_NO_SUSPEND_SR");
    EXPECT_EQ(world.power(vm), "Running");
    world.ok("VM.suspend", {rpc::Value{vm}});
    EXPECT_EQ(world.fails("debug.sim_inject_failure",
                          {rpc::Value{"explode"}, rpc::Value{"X"}, rpc::Value{"1"}}),
              (Strings{"INVALID_VALUE", "operation", "explode"}));
}

TEST_F(VmLifecycleTest, ACleanShutdownThatTimesOutLeavesTheVmRunning) {
    const std::string vm = vm_in("Running");
    world.sim.set_ignores_shutdown(DomainId{static_cast<std::int32_t>(world.domid(vm))}, true);
    EXPECT_EQ(world.fails("VM.clean_shutdown", {rpc::Value{vm}})[0], "VM_SHUTDOWN_TIMEOUT");
    EXPECT_EQ(world.power(vm), "Running");
    world.ok("VM.hard_shutdown", {rpc::Value{vm}});
    EXPECT_EQ(world.power(vm), "Halted");
}

TEST_F(VmLifecycleTest, TheControlDomainRefusesLifeCycleMessages) {
    const std::string dom0 =
        world.store
            .find_by_uuid(world.store.class_index("VM"), "00000000-0000-0000-0000-000000000000")
            .value();
    EXPECT_EQ(world.fails("VM.hard_shutdown", {rpc::Value{dom0}})[0], "OPERATION_NOT_ALLOWED");
    EXPECT_TRUE(world.allowed(dom0).empty());
    EXPECT_EQ(world.power(dom0), "Running");
}

TEST_F(VmLifecycleTest, LiveChangesReachTheDomain) {
    const std::string vm = vm_in("Running");
    const DomainId id{static_cast<std::int32_t>(world.domid(vm))};
    world.ok("VM.set_VCPUs_number_live", {rpc::Value{vm}, rpc::Value{"2"}});
    EXPECT_EQ(world.sim.domain_info(id)->vcpus_online, 2);
    EXPECT_EQ(world.field("VM_metrics", world.metrics(vm), "VCPUs_number").as<std::int64_t>(), 2);
    EXPECT_EQ(world.fails("VM.set_VCPUs_number_live", {rpc::Value{vm}, rpc::Value{"3"}}),
              (Strings{"VM_TOO_MANY_VCPUS", vm}));
    world.ok("VM.add_to_VCPUs_params_live",
             {rpc::Value{vm}, rpc::Value{"weight"}, rpc::Value{"512"}});
    EXPECT_EQ(world.field("VM", vm, "VCPUs_params"),
              (rpc::Value{rpc::Struct{{"weight", rpc::Value{"512"}}}}));
    EXPECT_EQ(world.fails("VM.add_to_VCPUs_params_live",
                          {rpc::Value{vm}, rpc::Value{"colour"}, rpc::Value{"red"}})[0],
              "INVALID_VALUE");
    EXPECT_EQ(
        world.fails("VM.set_memory_dynamic_range",
                    {rpc::Value{vm}, rpc::Value{"1"}, rpc::Value{std::to_string(512 * kMiB)}})[0],
        "MEMORY_CONSTRAINT_VIOLATION");
}

TEST_F(VmLifecycleTest, MigrationMovesTheDomainAway) {
    const std::string vm = vm_in("Running");
    const std::int64_t domid = world.domid(vm);
    world.ok("VM.pool_migrate", {rpc::Value{vm}, rpc::Value{world.state.host_ref},
                                 rpc::Value{rpc::Struct{{"live", rpc::Value{"true"}}}}});
    EXPECT_EQ(world.power(vm), "Running");
    EXPECT_EQ(world.domid(vm), domid);
    EXPECT_EQ(world.fails("VM.migrate", {rpc::Value{vm}, rpc::Value{""}, rpc::Value{true},
                                         rpc::Value{rpc::Struct{}}})[0],
              "VM_MIGRATE_FAILED");
    EXPECT_EQ(world.power(vm), "Running");
    world.ok("VM.migrate", {rpc::Value{vm}, rpc::Value{"otherhost"}, rpc::Value{true},
                            rpc::Value{rpc::Struct{}}});
    EXPECT_EQ(world.power(vm), "Halted");
    EXPECT_TRUE(world.sim.list_domains().empty());
    EXPECT_EQ(world.fails("VM.migrate", {rpc::Value{vm}, rpc::Value{"otherhost"}, rpc::Value{true},
                                         rpc::Value{rpc::Struct{}}}),
              (Strings{"VM_BAD_POWER_STATE", vm, "Running", "Halted"}));
}

TEST_F(VmLifecycleTest, CreateChecksTheMemoryOrderAndTheVcpus) {
    EXPECT_EQ(world.fails("VM.create", {rpc::Value{rpc::Struct{
                                           {"memory_static_min", rpc::Value{"2"}},
                                           {"memory_dynamic_min", rpc::Value{"1"}},
                                       }}})[0],
              "MEMORY_CONSTRAINT_VIOLATION");
    EXPECT_EQ(world.fails("VM.create", {rpc::Value{rpc::Struct{
                                           {"VCPUs_max", rpc::Value{"2"}},
                                           {"VCPUs_at_startup", rpc::Value{"3"}},
                                       }}}),
              (Strings{"VALUE_NOT_SUPPORTED", "VCPUs_at_startup", "3",
                       "must be between 1 and VCPUs_max"}));
    EXPECT_EQ(world.fails("VM.create", {rpc::Value{rpc::Struct{
                                           {"HVM_boot_policy", rpc::Value{"UEFI please"}},
                                       }}})[0],
              "VALUE_NOT_SUPPORTED");
    // Setters keep the order too; a refused set changes nothing.
    const std::string vm = world.make_vm("a", 256);
    EXPECT_EQ(world.fails("VM.set_memory_dynamic_max", {rpc::Value{vm}, rpc::Value{"1"}})[0],
              "MEMORY_CONSTRAINT_VIOLATION");
    EXPECT_EQ(world.field("VM", vm, "memory_dynamic_max").as<std::int64_t>(), 256 * kMiB);
    world.ok("VM.set_memory_static_max", {rpc::Value{vm}, rpc::Value{std::to_string(512 * kMiB)}});
}

TEST_F(VmLifecycleTest, TemplatesAreClonedNeverStarted) {
    const std::string net =
        world
            .ok("network.create", {rpc::Value{rpc::Struct{{"name_label", rpc::Value{"n"}},
                                                          {"bridge", rpc::Value{"xenbr0"}}}}})
            .as<std::string>();
    const std::string tmpl = world.make_vm("tmpl", 128, {{"is_a_template", rpc::Value{true}}});
    world.ok("VIF.create", {rpc::Value{rpc::Struct{{"VM", rpc::Value{tmpl}},
                                                   {"network", rpc::Value{net}},
                                                   {"device", rpc::Value{"0"}}}}});
    EXPECT_EQ(world.fails("VM.start", {rpc::Value{tmpl}, rpc::Value{false}}),
              (Strings{"VM_IS_TEMPLATE", tmpl, "start"}));
    EXPECT_EQ(world.allowed(tmpl), (Strings{"clone", "copy", "destroy", "provision"}));

    const std::string vm =
        world.ok("VM.clone", {rpc::Value{tmpl}, rpc::Value{"mine"}}).as<std::string>();
    EXPECT_NE(vm, tmpl);
    EXPECT_EQ(world.field("VM", vm, "name_label"), rpc::Value{"mine"});
    EXPECT_EQ(world.field("VM", vm, "is_a_template"), rpc::Value{true});
    EXPECT_EQ(world.field("VM", vm, "memory_static_max").as<std::int64_t>(), 128 * kMiB);
    EXPECT_NE(world.metrics(vm), world.metrics(tmpl));
    const auto vifs = world.field("VM", vm, "VIFs").as<rpc::Array>();
    ASSERT_EQ(vifs.size(), 1u);
    const std::string mac = world.field("VIF", vifs[0].as<std::string>(), "MAC").as<std::string>();
    EXPECT_TRUE(mac.starts_with("00:16:3e:"));
    EXPECT_NE(mac, world
                       .field("VIF",
                              world.field("VM", tmpl, "VIFs").as<rpc::Array>()[0].as<std::string>(),
                              "MAC")
                       .as<std::string>());
    world.ok("VM.provision", {rpc::Value{vm}});
    world.ok("VM.set_is_a_template", {rpc::Value{vm}, rpc::Value{false}});
    EXPECT_TRUE(std::ranges::count(world.allowed(vm), std::string("start")) == 1);
    world.ok("VM.start", {rpc::Value{vm}, rpc::Value{false}});
    auto domain = world.sim.domain_info(DomainId{static_cast<std::int32_t>(world.domid(vm))});
    ASSERT_TRUE(domain);
    EXPECT_EQ(world.field("VIF", vifs[0].as<std::string>(), "currently_attached"),
              rpc::Value{true});

    EXPECT_EQ(world.fails("VM.clone", {rpc::Value{vm}, rpc::Value{"x"}})[0], "VM_BAD_POWER_STATE");
    EXPECT_EQ(world.fails("VM.destroy", {rpc::Value{vm}})[0], "VM_BAD_POWER_STATE");
    world.ok("VM.hard_shutdown", {rpc::Value{vm}});
    const std::string m = world.metrics(vm);
    world.ok("VM.destroy", {rpc::Value{vm}});
    EXPECT_FALSE(world.store.exists(world.store.class_index("VM_metrics"), m));
    EXPECT_FALSE(world.store.exists(world.store.class_index("VIF"), vifs[0].as<std::string>()));
}

TEST_F(VmLifecycleTest, EveryVmHasAConsoleThatGoesWithIt) {
    const std::string vm = world.make_vm("a");
    const auto consoles = world.field("VM", vm, "consoles").as<rpc::Array>();
    ASSERT_EQ(consoles.size(), 1u);
    const std::string console = consoles[0].as<std::string>();
    EXPECT_EQ(world.field("console", console, "protocol"), rpc::Value{"vt100"});
    EXPECT_EQ(world.field("console", console, "location").as<std::string>(),
              "https://127.0.0.1/console?ref=" + console);
    const std::string copy =
        world.ok("VM.clone", {rpc::Value{vm}, rpc::Value{"b"}}).as<std::string>();
    const auto copied = world.field("VM", copy, "consoles").as<rpc::Array>();
    ASSERT_EQ(copied.size(), 1u);
    EXPECT_NE(copied[0], consoles[0]);
    world.ok("VM.destroy", {rpc::Value{vm}});
    EXPECT_FALSE(world.store.exists(world.store.class_index("console"), console));
}

TEST_F(VmLifecycleTest, AfterARestartVmsWithoutADomainAreHalted) {
    const std::string running = vm_in("Running");
    const std::string paused = vm_in("Paused");
    const std::string suspended = vm_in("Suspended");
    const std::string halted = vm_in("Halted");
    // The simulator forgets everything, as a restarted xapid's new simulator would.
    for (const DomainInfo& d : world.sim.list_domains())
        (void)world.sim.destroy(d.id);
    reconcile_with_backend(world.state);
    EXPECT_EQ(world.power(running), "Halted");
    EXPECT_EQ(world.power(paused), "Halted");
    EXPECT_EQ(world.domid(running), -1);
    EXPECT_EQ(world.power(suspended), "Suspended") << "its image is still there";
    EXPECT_EQ(world.power(halted), "Halted");
    world.ok("VM.start", {rpc::Value{running}, rpc::Value{false}});
    world.ok("VM.resume", {rpc::Value{suspended}, rpc::Value{false}});
}

TEST_F(VmLifecycleTest, DestroyingASuspendedVmRemovesItsImage) {
    const std::string vm = vm_in("Suspended");
    const auto image =
        world.state_dir / "suspend" / (world.field("VM", vm, "uuid").as<std::string>() + ".img");
    EXPECT_TRUE(std::filesystem::exists(image));
    world.ok("VM.destroy", {rpc::Value{vm}});
    EXPECT_FALSE(std::filesystem::exists(image));
}

TEST_F(VmLifecycleTest, ReconciliationAdoptsTheDomainOfAKnownVm) {
    const std::string vm = world.make_vm("adoptee", 64);
    DomainConfig config;
    config.uuid = world.field("VM", vm, "uuid").as<std::string>();
    config.memory_target = config.memory_max = 64 * kMiB;
    const DomainId id = world.sim.build(config, {}).value();
    ASSERT_TRUE(world.sim.unpause(id).ok());
    DomainConfig stranger;
    stranger.uuid = "11111111-2222-3333-4444-555555555555";
    ASSERT_TRUE(world.sim.build(stranger, {}).ok());
    reconcile_with_backend(world.state);
    EXPECT_EQ(world.power(vm), "Running");
    EXPECT_EQ(world.domid(vm), id.value);
    EXPECT_EQ(world.sim.list_domains().size(), 2u) << "an unknown domain is never killed";
}

TEST_F(VmLifecycleTest, SysrqKeysAndTriggersReachTheGuest) {
    const std::string vm = vm_in("Running");
    const DomainId domain{static_cast<std::int32_t>(world.domid(vm))};
    world.ok("VM.send_sysrq", {rpc::Value{vm}, rpc::Value{"s"}});
    world.ok("VM.send_sysrq", {rpc::Value{vm}, rpc::Value{"b"}});
    world.ok("VM.send_trigger", {rpc::Value{vm}, rpc::Value{"power"}});
    EXPECT_EQ(world.sim.sysrqs_of(domain), "sb");
    EXPECT_EQ(world.sim.triggers_of(domain), std::vector<GuestTrigger>{GuestTrigger::power});
    EXPECT_EQ(world.fails("VM.send_sysrq", {rpc::Value{vm}, rpc::Value{"ab"}}),
              (Strings{"INVALID_VALUE", "key", "ab"}));
    EXPECT_EQ(world.fails("VM.send_trigger", {rpc::Value{vm}, rpc::Value{"kick"}}),
              (Strings{"INVALID_VALUE", "trigger", "kick"}));
    world.sim.inject_failure(SimOp::send_trigger, BackendError{"INTERNAL_ERROR", {"injected"}});
    EXPECT_EQ(world.fails("VM.send_trigger", {rpc::Value{vm}, rpc::Value{"nmi"}})[0],
              "INTERNAL_ERROR");
    EXPECT_EQ(world.sim.sysrqs_of(domain), "sb");
    EXPECT_EQ(world.sim.triggers_of(domain).size(), 1u);
    EXPECT_TRUE(world.field("VM", vm, "current_operations").as<rpc::Struct>().empty());
    EXPECT_EQ(world.power(vm), "Running");
}

}  // namespace
}  // namespace tern::xapi
