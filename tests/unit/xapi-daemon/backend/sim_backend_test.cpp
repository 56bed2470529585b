// The sim backend: accounting against the host's size, the life of a domain, guest exits
// reported to the listener, injected failures, latency with progress and cancellation.
#include "backend/sim/sim_backend.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

namespace tern::xapi {
namespace {

constexpr std::int64_t kMiB = 1 << 20;

DomainConfig guest(std::string uuid, std::int64_t memory_mib, std::int64_t vcpus = 1) {
    DomainConfig c;
    c.uuid = std::move(uuid);
    c.name = "guest-" + c.uuid;
    c.memory_max = memory_mib * kMiB;
    c.memory_target = memory_mib * kMiB;
    c.vcpus_max = vcpus;
    c.vcpus_online = vcpus;
    return c;
}

SimConfig small_host() {
    SimConfig config;
    config.memory_total = 1024 * kMiB;
    config.cpus = 4;
    return config;
}

struct RecordingListener : Listener {
    std::vector<std::pair<DomainId, GuestExit>> heard;
    void guest_exited(DomainId domain, GuestExit how) override { heard.emplace_back(domain, how); }
};

TEST(SimBackend, BuildsPausedDomainsWithFreshIdsAndAccountsTheirMemory) {
    SimBackend sim(small_host());
    auto a = sim.build(guest("a", 256), {});
    auto b = sim.build(guest("b", 512, 2), {});
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    EXPECT_NE(a.value(), b.value());
    EXPECT_GE(a.value().value, 1);
    EXPECT_EQ(sim.host_info().memory_free, 256 * kMiB);
    auto info = sim.domain_info(b.value());
    ASSERT_TRUE(info);
    EXPECT_EQ(info->state, DomainState::paused);
    EXPECT_EQ(info->memory_actual, 512 * kMiB);
    EXPECT_EQ(info->vcpus_online, 2);
    EXPECT_EQ(info->uuid, "b");
    EXPECT_EQ(sim.list_domains().size(), 2u);
}

TEST(SimBackend, RefusesWhatDoesNotFitWithTheNeededAndAvailableMemory) {
    SimBackend sim(small_host());
    ASSERT_TRUE(sim.build(guest("a", 768), {}).ok());
    auto refused = sim.build(guest("b", 512), {});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error(),
              (BackendError{"HOST_NOT_ENOUGH_FREE_MEMORY",
                            {std::to_string(512 * kMiB), std::to_string(256 * kMiB)}}));
    EXPECT_EQ(sim.list_domains().size(), 1u);
}

TEST(SimBackend, RefusesMoreVcpusThanTheHostHas) {
    SimBackend sim(small_host());
    auto refused = sim.build(guest("a", 64, 5), {});
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, "VM_TOO_MANY_VCPUS");
}

TEST(SimBackend, DestroyGivesTheMemoryBack) {
    SimBackend sim(small_host());
    auto a = sim.build(guest("a", 1024), {});
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(sim.host_info().memory_free, 0);
    ASSERT_TRUE(sim.destroy(a.value()).ok());
    EXPECT_EQ(sim.host_info().memory_free, 1024 * kMiB);
    EXPECT_FALSE(sim.destroy(a.value()).ok());
}

TEST(SimBackend, PauseUnpauseAndCleanShutdownChangeTheState) {
    SimBackend sim(small_host());
    DomainId id = sim.build(guest("a", 64), {}).value();
    ASSERT_TRUE(sim.unpause(id).ok());
    EXPECT_EQ(sim.domain_info(id)->state, DomainState::running);
    EXPECT_EQ(sim.domain_info(id)->vcpu_utilisation.size(), 1u);
    ASSERT_TRUE(sim.pause(id).ok());
    EXPECT_EQ(sim.domain_info(id)->state, DomainState::paused);
    ASSERT_TRUE(sim.unpause(id).ok());
    ASSERT_TRUE(sim.clean_shutdown(id, false, std::chrono::seconds(1), {}).ok());
    EXPECT_EQ(sim.domain_info(id)->state, DomainState::shutdown);
}

TEST(SimBackend, AGuestThatIgnoresShutdownTimesOut) {
    SimBackend sim(small_host());
    DomainId id = sim.build(guest("a", 64), {}).value();
    ASSERT_TRUE(sim.unpause(id).ok());
    ASSERT_TRUE(sim.set_ignores_shutdown(id, true));
    auto r = sim.clean_shutdown(id, false, std::chrono::milliseconds(20), {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "VM_SHUTDOWN_TIMEOUT");
    EXPECT_EQ(sim.domain_info(id)->state, DomainState::running);
}

TEST(SimBackend, SuspendWritesAnImageThatResumeReads) {
    SimBackend sim(small_host());
    const auto file = std::filesystem::temp_directory_path() /
                      ("sim-suspend-" + std::to_string(::getpid()) + ".img");
    DomainId id = sim.build(guest("vm-1", 256), {}).value();
    ASSERT_TRUE(sim.suspend(id, file, {}).ok());
    EXPECT_TRUE(sim.list_domains().empty());
    EXPECT_EQ(sim.host_info().memory_free, 1024 * kMiB);
    auto other = sim.resume(guest("vm-2", 256), file, {});
    ASSERT_FALSE(other.ok());
    auto back = sim.resume(guest("vm-1", 256), file, {});
    ASSERT_TRUE(back.ok());
    EXPECT_NE(back.value(), id);
    EXPECT_EQ(sim.domain_info(back.value())->memory_actual, 256 * kMiB);
    std::filesystem::remove(file);
}

TEST(SimBackend, GuestExitsReachTheListener) {
    SimBackend sim(small_host());
    RecordingListener listener;
    sim.set_listener(&listener);
    DomainId a = sim.build(guest("a", 64), {}).value();
    DomainId b = sim.build(guest("b", 64), {}).value();
    DomainId c = sim.build(guest("c", 64), {}).value();
    ASSERT_TRUE(sim.unpause(a).ok());
    EXPECT_TRUE(sim.guest_exit(a, GuestExit::reboot));
    EXPECT_TRUE(sim.guest_exit(b, GuestExit::crash));
    EXPECT_TRUE(sim.guest_exit(c, GuestExit::vanished));
    EXPECT_FALSE(sim.guest_exit(a, GuestExit::crash)) << "a stopped guest cannot stop again";
    ASSERT_EQ(listener.heard.size(), 3u);
    EXPECT_EQ(listener.heard[0], std::pair(a, GuestExit::reboot));
    EXPECT_EQ(listener.heard[1], std::pair(b, GuestExit::crash));
    EXPECT_EQ(sim.domain_info(a)->state, DomainState::shutdown);
    EXPECT_EQ(sim.domain_info(b)->state, DomainState::crashed);
    EXPECT_FALSE(sim.domain_info(c));
}

TEST(SimBackend, InjectedFailuresHitTheNamedOperationTheGivenNumberOfTimes) {
    SimBackend sim(small_host());
    sim.inject_failure(SimOp::build, {"INTERNAL_ERROR", {"boom"}}, 2);
    EXPECT_EQ(sim.build(guest("a", 64), {}).error(), (BackendError{"INTERNAL_ERROR", {"boom"}}));
    EXPECT_FALSE(sim.build(guest("a", 64), {}).ok());
    auto third = sim.build(guest("a", 64), {});
    ASSERT_TRUE(third.ok());
    EXPECT_EQ(sim.list_domains().size(), 1u) << "failed builds leave nothing behind";
    sim.inject_failure(SimOp::pause, {"INTERNAL_ERROR", {"no"}});
    EXPECT_FALSE(sim.pause(third.value()).ok());
    EXPECT_TRUE(sim.pause(third.value()).ok());
}

TEST(SimBackend, LatencyReportsProgressAndStopsOnCancel) {
    SimConfig config = small_host();
    config.latency_of[SimOp::build] = std::chrono::milliseconds(60);
    SimBackend sim(config);
    std::vector<double> seen;
    OperationControl op{[&](double f) { seen.push_back(f); }, nullptr};
    ASSERT_TRUE(sim.build(guest("a", 64), op).ok());
    ASSERT_GE(seen.size(), 3u);
    EXPECT_EQ(seen.front(), 0.0);
    EXPECT_EQ(seen.back(), 1.0);
    EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));

    std::atomic<bool> cancel{false};
    OperationControl cancellable{nullptr, [&] { return cancel.load(); }};
    std::thread canceller([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(15));
        cancel = true;
    });
    auto r = sim.build(guest("b", 64), cancellable);
    canceller.join();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().code, "TASK_CANCELLED");
    EXPECT_EQ(sim.list_domains().size(), 1u);
}

TEST(SimBackend, LiveChangesAreCheckedAndApplied) {
    SimBackend sim(small_host());
    DomainConfig c = guest("a", 128, 2);
    c.memory_max = 512 * kMiB;
    c.vcpus_max = 4;
    DomainId id = sim.build(c, {}).value();
    ASSERT_TRUE(sim.set_memory_target(id, 256 * kMiB).ok());
    EXPECT_EQ(sim.domain_info(id)->memory_actual, 256 * kMiB);
    ASSERT_TRUE(sim.set_vcpus_online(id, 3).ok());
    EXPECT_EQ(sim.domain_info(id)->vcpus_online, 3);
    EXPECT_EQ(sim.set_vcpus_online(id, 5).error().code, "VM_TOO_MANY_VCPUS");
    EXPECT_TRUE(sim.pin_vcpu(id, 0, {1, 2}).ok());
    EXPECT_EQ(sim.pin_vcpu(id, 0, {9}).error().code, "INVALID_VALUE");
    EXPECT_TRUE(sim.set_scheduler(id, 512, 50).ok());
    EXPECT_TRUE(sim.attach_disk(id, {"xvdb", "/tmp/x.img", false, false}).ok());
    EXPECT_EQ(sim.attach_disk(id, {"xvdb", "/tmp/y.img", false, false}).error().code,
              "DEVICE_ALREADY_ATTACHED");
    EXPECT_TRUE(sim.detach_disk(id, "xvdb").ok());
    EXPECT_EQ(sim.detach_disk(id, "xvdb").error().code, "DEVICE_ALREADY_DETACHED");
    EXPECT_TRUE(sim.attach_nic(id, {"0", "00:16:3e:00:00:01", "xenbr0", 1500}).ok());
    EXPECT_TRUE(sim.detach_nic(id, "0").ok());
}

TEST(SimBackend, OperationNamesRoundTrip) {
    for (SimOp op : {SimOp::build, SimOp::clean_shutdown, SimOp::detach_nic}) {
        EXPECT_EQ(parse_sim_op(to_string(op)), op);
    }
    EXPECT_FALSE(parse_sim_op("explode"));
}

}  // namespace
}  // namespace tern::xapi

namespace tern::xapi {
namespace {

TEST(SimBackend, APersistFileKeepsTheDomainsAcrossInstances) {
    const auto file =
        std::filesystem::temp_directory_path() / ("sim-domains-" + std::to_string(::getpid()));
    std::filesystem::remove(file);
    SimConfig config = small_host();
    config.persist_file = file;
    DomainId running;
    DomainId paused;
    {
        SimBackend sim(config);
        running = sim.build(guest("run", 128, 2), {}).value();
        ASSERT_TRUE(sim.unpause(running).ok());
        paused = sim.build(guest("pause", 64), {}).value();
        ASSERT_TRUE(sim.rename(paused, "kept for inspection").ok());
    }
    SimBackend again(config);
    auto domains = again.list_domains();
    ASSERT_EQ(domains.size(), 2u);
    EXPECT_EQ(again.domain_info(running)->state, DomainState::running);
    EXPECT_EQ(again.domain_info(running)->uuid, "run");
    EXPECT_EQ(again.domain_info(running)->vcpus_online, 2);
    EXPECT_EQ(again.domain_info(paused)->name, "kept for inspection");
    EXPECT_EQ(again.domain_info(paused)->uuid, "");
    EXPECT_EQ(again.host_info().memory_free, (1024 - 192) * kMiB);
    auto next = again.build(guest("new", 64), {});
    ASSERT_TRUE(next.ok());
    EXPECT_GT(next.value(), paused) << "ids are not given out twice";
    std::filesystem::remove(file);
}

}  // namespace
}  // namespace tern::xapi
