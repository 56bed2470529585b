// Tests of the host's description: /proc/cpuinfo of both architectures, and stable
// references across restarts.
#include "api/host_inventory.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "api_world_for_test.hpp"

namespace tern::xapi {
namespace {

TEST(HostInventory, ParsesX86AndArm64Cpuinfo) {
    auto x86 = parse_cpuinfo(
        "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 85\n"
        "model name\t: Intel(R) Xeon(R)\nstepping\t: 7\ncpu MHz\t\t: 2100.000\nflags\t\t: fpu "
        "vme\n\n"
        "processor\t: 1\nvendor_id\t: GenuineIntel\n");
    ASSERT_EQ(x86.size(), 2u);
    EXPECT_EQ(x86[0].vendor, "GenuineIntel");
    EXPECT_EQ(x86[0].modelname, "Intel(R) Xeon(R)");
    EXPECT_EQ(x86[0].speed_mhz, 2100);
    EXPECT_EQ(x86[0].family, 6);
    EXPECT_EQ(x86[0].model, 85);
    EXPECT_EQ(x86[0].flags, "fpu vme");
    EXPECT_EQ(x86[1].number, 1);

    auto arm = parse_cpuinfo(
        "processor\t: 0\nBogoMIPS\t: 125.00\nFeatures\t: fp asimd evtstrm\nCPU implementer\t: "
        "0x41\n"
        "CPU architecture: 8\nCPU variant\t: 0x1\nCPU part\t: 0xd07\nCPU revision\t: 0\n");
    ASSERT_EQ(arm.size(), 1u);
    EXPECT_EQ(arm[0].flags, "fp asimd evtstrm");
    EXPECT_EQ(arm[0].family, 8);
    EXPECT_EQ(arm[0].model, 1);
    EXPECT_EQ(arm[0].stepping, "0");
}

TEST(HostInventory, RefreshKeepsReferencesAndFollowsTheMachine) {
    ApiWorldForTest world;
    const int cpu = world.store.class_index("host_cpu");
    auto before = world.store.refs(cpu);
    ASSERT_EQ(before.size(), 2u);
    MachineInfo machine;
    machine.hostname = "renamed";
    machine.cpus = {CpuInfo{0, "v", "m", "1", "f", 1000, 6, 1},
                    CpuInfo{1, "v", "m", "1", "f", 1000, 6, 1},
                    CpuInfo{2, "v", "m", "1", "f", 1000, 6, 1}};
    EXPECT_EQ(ensure_inventory(world.state, machine), world.state.host_ref);
    auto after = world.store.refs(cpu);
    EXPECT_EQ(after.size(), 3u);
    for (const std::string& r : before)
        EXPECT_NE(std::find(after.begin(), after.end(), r), after.end());
    const int host = world.store.class_index("host");
    EXPECT_EQ(world.store.get(host, world.state.host_ref)->at("host_CPUs").as<rpc::Array>().size(),
              3u);
    EXPECT_EQ(world.store.refs(world.store.class_index("pool")).size(), 1u);
}

TEST(HostInventory, ReadsThePhysicalInterfacesOfSysClassNet) {
    const auto root =
        std::filesystem::temp_directory_path() / ("sys-class-net-" + std::to_string(::getpid()));
    auto nic = [&](const std::string& name, bool physical, const std::string& mac) {
        std::filesystem::create_directories(root / name);
        if (physical)
            std::filesystem::create_directories(root / name / "device");
        std::ofstream(root / name / "address") << mac << "\n";
        std::ofstream(root / name / "mtu") << "9000\n";
        std::ofstream(root / name / "operstate") << "up\n";
    };
    nic("lo", false, "00:00:00:00:00:00");
    nic("xenbr0", false, "52:54:00:00:00:01");
    nic("eth0", true, "52:54:00:00:00:01");
    nic("enp2s0", true, "52:54:00:00:00:02");
    const auto nics = read_nics(root);
    std::filesystem::remove_all(root);
    ASSERT_EQ(nics.size(), 2u);
    EXPECT_EQ(nics[0], (NicInfo{"enp2s0", "52:54:00:00:00:02", 9000, true}));
    EXPECT_EQ(nics[1].device, "eth0");
    EXPECT_EQ(bridge_of("eth0"), "xenbr0");
    EXPECT_EQ(bridge_of("enp2s0"), "xenbr-enp2s0");
}

TEST(HostInventory, EveryInterfaceHasAPifAndANetworkWithABridge) {
    ApiWorldForTest world;
    MachineInfo machine;
    machine.hostname = "h";
    machine.nics = {NicInfo{"eth0", "52:54:00:00:00:01", 1500, true},
                    NicInfo{"eth1", "52:54:00:00:00:02", 1500, false}};
    ensure_inventory(world.state, machine);
    const int pif = world.store.class_index("PIF");
    const int net = world.store.class_index("network");
    auto pifs = world.store.records(pif);
    ASSERT_EQ(pifs.size(), 2u);
    std::map<std::string, std::string> bridges;
    for (const auto& [ref, record] : pifs) {
        const auto network = world.store.get(net, record.at("network").as<std::string>());
        ASSERT_TRUE(network);
        bridges[record.at("device").as<std::string>()] = network->at("bridge").as<std::string>();
        EXPECT_EQ(record.at("host"), rpc::Value{world.state.host_ref});
    }
    EXPECT_EQ(bridges,
              (std::map<std::string, std::string>{{"eth0", "xenbr0"}, {"eth1", "xenbr1"}}));
    const int host = world.store.class_index("host");
    EXPECT_EQ(world.store.get(host, world.state.host_ref)->at("PIFs").as<rpc::Array>().size(), 2u);
    // A refresh keeps the PIFs of interfaces still there and drops the others.
    const std::string eth0 = std::find_if(pifs.begin(), pifs.end(), [](const auto& p) {
                                 return p.second.at("device") == rpc::Value{"eth0"};
                             })->first;
    machine.nics.pop_back();
    ensure_inventory(world.state, machine);
    EXPECT_EQ(world.store.refs(pif), std::vector<std::string>{eth0});
}

}  // namespace
}  // namespace tern::xapi
