// Tests of the dispatcher: every dispatch error with its parameters, argument leniency, the
// read-only rules of the implicit messages, roles, async tasks, and answers that wait for the
// disk.
#include "api/dispatcher.hpp"

#include <gtest/gtest.h>

#include <future>

#include "api_world_for_test.hpp"

namespace tern::xapi {
namespace {

using Strings = std::vector<std::string>;

class DispatcherTest : public ::testing::Test {
  protected:
    ApiWorldForTest world;
    std::string s = world.make_session_for_test();

    std::string make_vm(const std::string& name) {
        return ok_for_test(world.call("VM.create",
                                      {rpc::Value{s},
                                       rpc::Value{rpc::Struct{{"name_label", rpc::Value{name}}}}}))
            .as<std::string>();
    }
};

TEST_F(DispatcherTest, UnknownMethodsAndAsyncFormsOfNonAsyncMessages) {
    EXPECT_EQ(error_for_test(world.call("VM.fly", {rpc::Value{s}})),
              (Strings{"MESSAGE_METHOD_UNKNOWN", "VM.fly"}));
    EXPECT_EQ(error_for_test(world.call("Nope.get_all", {rpc::Value{s}})),
              (Strings{"MESSAGE_METHOD_UNKNOWN", "Nope.get_all"}));
    EXPECT_EQ(error_for_test(world.call("Async.VM.get_all", {rpc::Value{s}})),
              (Strings{"MESSAGE_METHOD_UNKNOWN", "Async.VM.get_all"}));
}

TEST_F(DispatcherTest, ParameterCountsExcludeTheSessionAndTrailingDefaults) {
    EXPECT_EQ(error_for_test(world.call("VM.get_record", {rpc::Value{s}})),
              (Strings{"MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_record", "1", "0"}));
    EXPECT_EQ(error_for_test(world.call("VM.get_all", {rpc::Value{s}, rpc::Value{"extra"}})),
              (Strings{"MESSAGE_PARAMETER_COUNT_MISMATCH", "VM.get_all", "0", "1"}));
    // VM.start has a trailing `force` with a default: 2 or 3 arguments are fine.
    const std::string vm = make_vm("a");
    ok_for_test(world.call("VM.start", {rpc::Value{s}, rpc::Value{vm}, rpc::Value{false}}));
    EXPECT_EQ(error_for_test(world.call("VM.start", {rpc::Value{s}, rpc::Value{vm}}))[0],
              "MESSAGE_PARAMETER_COUNT_MISMATCH");
    // The login family takes no session: 2 to 4 parameters.
    EXPECT_EQ(
        error_for_test(world.call("session.login_with_password", {rpc::Value{"root"}})),
        (Strings{"MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "2", "1"}));
    EXPECT_TRUE(ok_for_test(world.call("session.login_with_password",
                                       {rpc::Value{"root"}, rpc::Value{""}, rpc::Value{"1.0"},
                                        rpc::Value{"me"}}))
                    .is<std::string>());
}

TEST_F(DispatcherTest, SessionsMustBeLive) {
    EXPECT_EQ(error_for_test(world.call("VM.get_all", {rpc::Value{"OpaqueRef:x"}})),
              (Strings{"SESSION_INVALID", "OpaqueRef:x"}));
    EXPECT_EQ(error_for_test(world.call("VM.get_all", {rpc::Value{std::int64_t{5}}})),
              (Strings{"SESSION_INVALID", ""}));
    ok_for_test(world.call("session.logout", {rpc::Value{s}}));
    EXPECT_EQ(error_for_test(world.call("VM.get_all", {rpc::Value{s}})),
              (Strings{"SESSION_INVALID", s}));
}

TEST_F(DispatcherTest, IdleSessionsExpire) {
    world.now += std::chrono::seconds(599);
    ok_for_test(world.call("VM.get_all", {rpc::Value{s}}));  // use renews the lease
    world.now += std::chrono::seconds(599);
    ok_for_test(world.call("VM.get_all", {rpc::Value{s}}));
    world.now += std::chrono::seconds(601);
    EXPECT_EQ(error_for_test(world.call("VM.get_all", {rpc::Value{s}})),
              (Strings{"SESSION_INVALID", s}));
    EXPECT_TRUE(world.store.refs(world.store.class_index("session")).empty());
}

TEST_F(DispatcherTest, HandlesMustNameAnObjectOfTheRightClass) {
    EXPECT_EQ(
        error_for_test(world.call("VM.get_record", {rpc::Value{s}, rpc::Value{"OpaqueRef:none"}})),
        (Strings{"HANDLE_INVALID", "VM", "OpaqueRef:none"}));
    EXPECT_EQ(error_for_test(
                  world.call("VM.get_record", {rpc::Value{s}, rpc::Value{world.state.host_ref}})),
              (Strings{"HANDLE_INVALID", "VM", world.state.host_ref}));
    EXPECT_EQ(
        error_for_test(world.call("VM.get_record", {rpc::Value{s}, rpc::Value{"OpaqueRef:NULL"}})),
        (Strings{"HANDLE_INVALID", "VM", "OpaqueRef:NULL"}));
}

TEST_F(DispatcherTest, ArgumentsAreCheckedAndNormalized) {
    const std::string vm = make_vm("n");
    // An int as a decimal string and as an XML-RPC int are the same.
    ok_for_test(world.call("VM.set_VCPUs_max", {rpc::Value{s}, rpc::Value{vm}, rpc::Value{"4"}}));
    EXPECT_EQ(ok_for_test(world.call("VM.get_VCPUs_max", {rpc::Value{s}, rpc::Value{vm}})),
              rpc::Value{"4"});
    ok_for_test(world.call("VM.set_VCPUs_max", {rpc::Value{s}, rpc::Value{vm}, rpc::Value{8}}));
    EXPECT_EQ(ok_for_test(world.call("VM.get_VCPUs_max", {rpc::Value{s}, rpc::Value{vm}})),
              rpc::Value{"8"});
    EXPECT_EQ(error_for_test(world.call("VM.set_VCPUs_max",
                                        {rpc::Value{s}, rpc::Value{vm}, rpc::Value{"four"}})),
              (Strings{"FIELD_TYPE_ERROR", "value"}));
    // Enums in any case, answered in canonical spelling; bad ones named.
    ok_for_test(world.call("VM.set_actions_after_reboot",
                           {rpc::Value{s}, rpc::Value{vm}, rpc::Value{"DESTROY"}}));
    EXPECT_EQ(
        ok_for_test(world.call("VM.get_actions_after_reboot", {rpc::Value{s}, rpc::Value{vm}})),
        rpc::Value{"destroy"});
    EXPECT_EQ(error_for_test(world.call("VM.set_actions_after_reboot",
                                        {rpc::Value{s}, rpc::Value{vm}, rpc::Value{"x"}})),
              (Strings{"INVALID_VALUE", "value", "x"}));
    // Bools as 0/1 ints are accepted (xm sent them so).
    ok_for_test(world.call("VM.set_is_a_template", {rpc::Value{s}, rpc::Value{vm}, rpc::Value{1}}));
    EXPECT_EQ(ok_for_test(world.call("VM.get_is_a_template", {rpc::Value{s}, rpc::Value{vm}})),
              rpc::Value{true});
}

TEST_F(DispatcherTest, ReadOnlyFieldsHaveNoSetters) {
    const std::string vm = make_vm("ro");
    EXPECT_EQ(error_for_test(world.call("VM.set_power_state",
                                        {rpc::Value{s}, rpc::Value{vm}, rpc::Value{"Running"}}))[0],
              "MESSAGE_METHOD_UNKNOWN");
    EXPECT_EQ(error_for_test(
                  world.call("VM.set_domid", {rpc::Value{s}, rpc::Value{vm}, rpc::Value{3}}))[0],
              "MESSAGE_METHOD_UNKNOWN");
}

TEST_F(DispatcherTest, MapsAndSets) {
    const std::string vm = make_vm("m");
    const std::string uuid =
        ok_for_test(world.call("VM.get_uuid", {rpc::Value{s}, rpc::Value{vm}})).as<std::string>();
    ok_for_test(world.call("VM.add_to_platform",
                           {rpc::Value{s}, rpc::Value{vm}, rpc::Value{"acpi"}, rpc::Value{"1"}}));
    EXPECT_EQ(
        error_for_test(world.call("VM.add_to_platform", {rpc::Value{s}, rpc::Value{vm},
                                                         rpc::Value{"acpi"}, rpc::Value{"0"}})),
        (Strings{"MAP_DUPLICATE_KEY", "VM", "platform", uuid, "acpi"}));
    ok_for_test(
        world.call("VM.remove_from_platform", {rpc::Value{s}, rpc::Value{vm}, rpc::Value{"acpi"}}));
    ok_for_test(world.call("VM.remove_from_platform",
                           {rpc::Value{s}, rpc::Value{vm}, rpc::Value{"absent"}}));
    EXPECT_EQ(ok_for_test(world.call("VM.get_platform", {rpc::Value{s}, rpc::Value{vm}})),
              rpc::Value{rpc::Struct{}});
    ok_for_test(world.call("VM.add_tags", {rpc::Value{s}, rpc::Value{vm}, rpc::Value{"t"}}));
    ok_for_test(world.call("VM.add_tags", {rpc::Value{s}, rpc::Value{vm}, rpc::Value{"t"}}));
    EXPECT_EQ(ok_for_test(world.call("VM.get_tags", {rpc::Value{s}, rpc::Value{vm}})),
              rpc::Value{rpc::Array{rpc::Value{"t"}}});
}

TEST_F(DispatcherTest, GetRecordAlwaysCarriesEveryFieldWithIntsAsStrings) {
    const std::string vm = make_vm("r");
    const rpc::Struct record =
        ok_for_test(world.call("VM.get_record", {rpc::Value{s}, rpc::Value{vm}})).as<rpc::Struct>();
    const ClassDesc& desc = world.store.class_desc(world.store.class_index("VM"));
    EXPECT_EQ(record.size(), desc.fields.size());
    EXPECT_EQ(record.at("domid"), rpc::Value{"-1"});
    EXPECT_EQ(record.at("power_state"), rpc::Value{"Halted"});
    const rpc::Struct all =
        ok_for_test(world.call("VM.get_all_records", {rpc::Value{s}})).as<rpc::Struct>();
    EXPECT_EQ(all.at(vm), rpc::Value{record});
}

TEST_F(DispatcherTest, RolesLimitWhoMayCallWhat) {
    const std::string op = world.sessions.open(world.state, "alice", Role::read_only, false, "");
    const std::string vm = make_vm("guarded");
    EXPECT_EQ(error_for_test(
                  world.call("VM.start", {rpc::Value{op}, rpc::Value{vm}, rpc::Value{false}}))[0],
              "RBAC_PERMISSION_DENIED");
    ok_for_test(world.call("VM.get_all", {rpc::Value{op}}));
}

TEST_F(DispatcherTest, AsyncCallsRecordTheirOutcomeInTheTask) {
    const std::string task =
        ok_for_test(
            world.call("Async.VM.create",
                       {rpc::Value{s}, rpc::Value{rpc::Struct{{"name_label", rpc::Value{"t"}}}}}))
            .as<std::string>();
    const rpc::Struct record =
        ok_for_test(world.call("task.get_record", {rpc::Value{s}, rpc::Value{task}}))
            .as<rpc::Struct>();
    EXPECT_EQ(record.at("status"), rpc::Value{"success"});
    EXPECT_EQ(record.at("type"), rpc::Value{"VM"});
    EXPECT_EQ(record.at("progress"), rpc::Value{1.0});
    const auto vms =
        ok_for_test(world.call("VM.get_by_name_label", {rpc::Value{s}, rpc::Value{"t"}}))
            .as<rpc::Array>();
    ASSERT_EQ(vms.size(), 1u);
    EXPECT_EQ(record.at("result"), rpc::Value{"<value>" + vms[0].as<std::string>() + "</value>"});
}

TEST_F(DispatcherTest, TheUnderscoreAliasOfXapiWorks) {
    EXPECT_TRUE(ok_for_test(world.call("VM_get_all", {rpc::Value{s}})).is<rpc::Array>());
}

// What may run on an I/O thread: reads, the event calls (they park) and the plain setters (a
// change of memory whose answer waits for the disk without the thread); never what calls the
// backend or creates and destroys objects.
TEST_F(DispatcherTest, ReadsEventCallsAndPlainSettersAreQuick) {
    for (const char* quick : {"VM.get_record", "VM.get_all", "event.from", "event.next",
                              "VM.set_name_description", "VM.add_to_other_config",
                              "VM.remove_from_other_config", "VM.add_tags", "VM.remove_tags"}) {
        EXPECT_TRUE(world.dispatcher.is_quick(quick)) << quick;
    }
    for (const char* slow : {"VM.start", "VM.clean_shutdown", "VM.create", "VM.destroy",
                             "session.login_with_password", "VM.set_memory_dynamic_range"}) {
        EXPECT_FALSE(world.dispatcher.is_quick(slow)) << slow;
    }
}

}  // namespace
}  // namespace tern::xapi

namespace tern::xapi {
namespace {

// The durability rule (object_store.hpp): a change is in memory and its event out when the
// handler returns, and its answer comes later, from the writer, once the change is on disk.
TEST(DispatcherDurabilityTest, AChangeIsAnsweredOnceOnDiskAndItsEventIsOutBefore) {
    ApiWorldForTest world;
    const std::string s = world.make_session_for_test();
    const std::string vm =
        ok_for_test(world.call("VM.create", {rpc::Value{s}, rpc::Value{rpc::Struct{}}}))
            .as<std::string>();
    const std::uint64_t durable_before = world.store.writer_stats().changes;
    const std::int64_t events_before = world.events.last_id();
    std::promise<std::pair<rpc::Value, std::uint64_t>> answered;
    auto now = world.dispatcher.call(
        "VM.set_name_label", {rpc::Value{s}, rpc::Value{vm}, rpc::Value{"durable"}},
        world.local_root, [&](rpc::Value v) {
            answered.set_value({std::move(v), world.store.writer_stats().changes});
        });
    EXPECT_FALSE(now.has_value());  // a change never answers on the spot
    EXPECT_GT(world.events.last_id(), events_before);
    auto [answer, durable_then] = answered.get_future().get();
    ok_for_test(answer);
    EXPECT_GT(durable_then, durable_before);
    // A read changes nothing and answers at once.
    EXPECT_TRUE(world.dispatcher
                    .call("VM.get_name_label", {rpc::Value{s}, rpc::Value{vm}}, world.local_root,
                          [](rpc::Value) {})
                    .has_value());
}

}  // namespace
}  // namespace tern::xapi
