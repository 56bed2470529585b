// Tests of the generated typed records: conversion from and to the store's canonical form.
#include <gtest/gtest.h>

#include "api/record_convert.hpp"
#include "api_world_for_test.hpp"
#include "records_generated.hpp"

namespace tern::xapi {
namespace {

TEST(Records, EnumsParseAnyCaseAndPrintCanonically) {
    EXPECT_EQ(parse_vm_power_state("running"), VmPowerState::Running);
    EXPECT_EQ(parse_on_crash_behaviour("COREDUMP_AND_RESTART"),
              OnCrashBehaviour::coredump_and_restart);
    EXPECT_FALSE(parse_vbd_mode("rx").has_value());
    EXPECT_EQ(to_string(VbdType::Disk), "Disk");
}

TEST(Records, AStoredRecordConvertsBothWays) {
    ApiWorldForTest world;
    const std::string s = world.make_session_for_test();
    const std::string ref =
        ok_for_test(
            world.call("VM.create",
                       {rpc::Value{s},
                        rpc::Value{rpc::Struct{
                            {"name_label", rpc::Value{"typed"}},
                            {"VCPUs_max", rpc::Value{"4"}},
                            {"other_config", rpc::Value{rpc::Struct{{"a", rpc::Value{"b"}}}}}}}}))
            .as<std::string>();
    const rpc::Struct canonical = *world.store.get(world.store.class_index("VM"), ref);
    const VMRecord vm = VMRecord::from_struct(canonical);
    EXPECT_EQ(vm.name_label, "typed");
    EXPECT_EQ(vm.VCPUs_max, 4);
    EXPECT_EQ(vm.power_state, VmPowerState::Halted);
    EXPECT_EQ(vm.domid, -1);
    EXPECT_EQ(vm.other_config, (std::map<std::string, std::string>{{"a", "b"}}));
    EXPECT_EQ(vm.resident_on.id, "OpaqueRef:NULL");
    EXPECT_EQ(vm.to_struct(), canonical);
}

TEST(Records, MapsKeyedByIntsAndKeywordFieldNames) {
    VMMetricsRecord m;
    m.VCPUs_utilisation = {{0, 0.5}, {1, 0.25}};
    const rpc::Struct s = m.to_struct();
    const rpc::Value expected{rpc::Struct{{"0", rpc::Value{0.5}}, {"1", rpc::Value{0.25}}}};
    EXPECT_EQ(s.at("VCPUs_utilisation"), expected);
    EXPECT_EQ(VMMetricsRecord::from_struct(s), m);
    EventRecord e;
    e.class_ = "VM";  // `class` is a C++ keyword
    EXPECT_EQ(e.to_struct().at("class"), rpc::Value{"VM"});
}

TEST(Records, AWrongFormIsRefused) {
    rpc::Struct bad{{"VCPUs_max", rpc::Value{"four"}}};
    EXPECT_THROW(VMRecord::from_struct(bad), std::invalid_argument);
}

}  // namespace
}  // namespace tern::xapi
