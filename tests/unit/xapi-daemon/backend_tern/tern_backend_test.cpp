// TernBackend against a fake dom0: building, the xenstore keys it writes for the guest's
// drivers, clean shutdowns, guest exits through the listener, errors, and the operations Tern
// cannot do yet.
#include "backend/tern/tern_backend.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>

#include "fake_tern_host.hpp"

namespace tern::xapi {
namespace {

using std::chrono::milliseconds;
using test::FakeTernHost;

constexpr const char* kUuid = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";

class RecordingListener final : public Listener {
  public:
    void guest_exited(DomainId domain, GuestExit how) override {
        std::lock_guard lock(mutex);
        exits.emplace_back(domain, how);
        changed.notify_all();
    }
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::pair<DomainId, GuestExit>> exits;
};

class TernBackendTest : public ::testing::Test {
  protected:
    TernBackendTest() {
        auto fake = std::make_unique<FakeTernHost>();
        host = fake.get();
        backend = std::make_unique<TernBackend>(
            std::move(fake), TernOptions{milliseconds(1), milliseconds(1), milliseconds(1)});
    }

    static DomainConfig busybox() {
        DomainConfig c;
        c.uuid = kUuid;
        c.name = "busybox";
        c.kernel = "/tmp/guest/Image";
        c.cmdline = "console=hvc0";
        c.memory_max = 64LL << 20;
        c.memory_target = 48LL << 20;
        c.vcpus_max = 2;
        c.vcpus_online = 1;
        return c;
    }

    DomainId started() {
        auto id = backend->build(busybox(), {});
        EXPECT_TRUE(id.ok());
        EXPECT_TRUE(backend->unpause(id.value()).ok());
        return id.value();
    }

    std::string key(DomainId id, const std::string& k) {
        return host->keys[FakeTernHost::key(static_cast<std::uint32_t>(id.value), k)];
    }

    FakeTernHost* host = nullptr;
    std::unique_ptr<TernBackend> backend;
};

TEST_F(TernBackendTest, BuildLeavesAPausedDomainWithTheKeysItsDriversRead) {
    auto id = backend->build(busybox(), {});
    ASSERT_TRUE(id.ok());
    ASSERT_EQ(host->built.size(), 1u);
    EXPECT_EQ(host->built[0].memory_mib, 64u);
    EXPECT_EQ(key(id.value(), "memory/static-max"), "65536");
    EXPECT_EQ(key(id.value(), "memory/target"), "65536");  // all of it: no ballooning down
    EXPECT_EQ(key(id.value(), "cpu/0/availability"), "online");
    EXPECT_EQ(key(id.value(), "cpu/1/availability"), "offline");

    auto info = backend->domain_info(id.value());
    ASSERT_TRUE(info);
    EXPECT_EQ(info->uuid, kUuid);
    EXPECT_EQ(info->name, "busybox");
    EXPECT_EQ(info->state, DomainState::paused);
    EXPECT_EQ(info->vcpus_max, 2);
    EXPECT_EQ(info->vcpus_online, 1);
    EXPECT_EQ(info->memory_actual, 64LL << 20);
    EXPECT_EQ(info->vcpu_utilisation.size(), 1u);
}

TEST_F(TernBackendTest, BuildFailuresBecomeXenApiErrors) {
    host->phys.free_pages = 100;  // 400 KiB free
    EXPECT_EQ(backend->build(busybox(), {}).error().code, "HOST_NOT_ENOUGH_FREE_MEMORY");
    host->phys.free_pages = 200000;
    host->build_error = 1;
    EXPECT_EQ(backend->build(busybox(), {}).error().code, "HOST_NOT_ENOUGH_FREE_MEMORY");
    host->build_error = 2;
    auto e = backend->build(busybox(), {});
    EXPECT_EQ(e.error().code, "BOOTLOADER_FAILED");
    EXPECT_EQ(e.error().params.at(0), kUuid);
    EXPECT_NE(e.error().params.at(1).find("cannot read the kernel"), std::string::npos);
    host->build_error = 3;
    EXPECT_EQ(backend->build(busybox(), {}).error().code, "INTERNAL_ERROR");
    EXPECT_TRUE(host->domains.empty());
}

TEST_F(TernBackendTest, KeysThatCannotBeWrittenLeaveNoDomainBehind) {
    host->store_down = true;
    EXPECT_EQ(backend->build(busybox(), {}).error().code, "INTERNAL_ERROR");
    EXPECT_TRUE(host->domains.empty());
    EXPECT_EQ(host->destroyed.size(), 1u);
}

TEST_F(TernBackendTest, ACancelledBuildLeavesNothing) {
    OperationControl op;
    op.cancelled = [] { return true; };
    EXPECT_EQ(backend->build(busybox(), op).error().code, "TASK_CANCELLED");
    EXPECT_TRUE(host->domains.empty());
}

TEST_F(TernBackendTest, PauseUnpauseAndListShowTheHypervisorsState) {
    const DomainId id = started();
    EXPECT_EQ(backend->domain_info(id)->state, DomainState::running);
    ASSERT_TRUE(backend->pause(id).ok());
    EXPECT_EQ(backend->list_domains().at(0).state, DomainState::paused);
    EXPECT_EQ(backend->pause(DomainId{42}).error(),
              (BackendError{"HANDLE_INVALID", {"domain", "42"}}));
    EXPECT_FALSE(backend->domain_info(DomainId{42}));
}

TEST_F(TernBackendTest, HostInfoIsPhysinfo) {
    const HostInfo h = backend->host_info();
    EXPECT_EQ(h.cpus, 4);
    EXPECT_EQ(h.memory_total, 262144LL * 4096);
    EXPECT_EQ(h.memory_free, 200000LL * 4096);
}

TEST_F(TernBackendTest, CleanShutdownAsksTheGuestAndIsNoGuestExit) {
    RecordingListener listener;
    const DomainId id = started();
    backend->scan_for_exits();
    host->obeys_shutdown.insert(static_cast<std::uint32_t>(id.value));
    ASSERT_TRUE(backend->clean_shutdown(id, true, milliseconds(1000), {}).ok());
    EXPECT_EQ(key(id, "control/shutdown"), "reboot");
    EXPECT_EQ(backend->domain_info(id)->state, DomainState::shutdown);
    backend->set_listener(&listener);
    backend->scan_for_exits();
    ASSERT_TRUE(backend->destroy(id).ok());
    backend->scan_for_exits();
    backend->set_listener(nullptr);
    EXPECT_TRUE(listener.exits.empty());
    EXPECT_FALSE(backend->domain_info(id));
}

TEST_F(TernBackendTest, AGuestThatIgnoresTheRequestTimesOut) {
    const DomainId id = started();
    auto e = backend->clean_shutdown(id, false, milliseconds(20), {});
    EXPECT_EQ(e.error(), (BackendError{"VM_SHUTDOWN_TIMEOUT", {kUuid, "0"}}));
    EXPECT_EQ(key(id, "control/shutdown"), "poweroff");
    // When it stops later after all, that is its own exit.
    RecordingListener listener;
    backend->scan_for_exits();
    host->guest_stops(static_cast<std::uint32_t>(id.value), TERN_SHUTDOWN_POWEROFF);
    backend->set_listener(&listener);
    backend->set_listener(nullptr);
    ASSERT_EQ(listener.exits.size(), 1u);
    EXPECT_EQ(listener.exits[0].second, GuestExit::poweroff);
}

TEST_F(TernBackendTest, ACancelledCleanShutdownStops) {
    const DomainId id = started();
    OperationControl op;
    op.cancelled = [] { return true; };
    EXPECT_EQ(backend->clean_shutdown(id, false, milliseconds(10000), op).error().code,
              "TASK_CANCELLED");
}

TEST_F(TernBackendTest, GuestExitsReachTheListenerFromTheWatchThread) {
    RecordingListener listener;
    const DomainId a = started();
    const DomainId b = started();
    const DomainId c = started();
    backend->set_listener(&listener);
    host->guest_stops(static_cast<std::uint32_t>(a.value), TERN_SHUTDOWN_POWEROFF);
    host->guest_stops(static_cast<std::uint32_t>(b.value), TERN_SHUTDOWN_REBOOT);
    host->guest_stops(static_cast<std::uint32_t>(c.value), TERN_SHUTDOWN_CRASH);
    {
        std::unique_lock lock(listener.mutex);
        listener.changed.wait(lock, [&] { return listener.exits.size() >= 3; });
    }
    backend->set_listener(nullptr);
    std::map<std::int32_t, GuestExit> seen;
    for (const auto& [d, how] : listener.exits)
        seen[d.value] = how;
    EXPECT_EQ(listener.exits.size(), 3u);
    EXPECT_EQ(seen.at(a.value), GuestExit::poweroff);
    EXPECT_EQ(seen.at(b.value), GuestExit::reboot);
    EXPECT_EQ(seen.at(c.value), GuestExit::crash);
    EXPECT_EQ(backend->domain_info(c)->state, DomainState::crashed);
}

TEST_F(TernBackendTest, ADomainDestroyedBehindXapidsBackVanished) {
    RecordingListener listener;
    const DomainId id = started();
    backend->scan_for_exits();
    host->domains.clear();
    backend->set_listener(&listener);
    backend->set_listener(nullptr);
    ASSERT_EQ(listener.exits.size(), 1u);
    EXPECT_EQ(listener.exits[0], std::make_pair(id, GuestExit::vanished));
}

TEST_F(TernBackendTest, DestroyingAGoneDomainIsDone) {
    EXPECT_TRUE(backend->destroy(DomainId{9}).ok());
}

TEST_F(TernBackendTest, MemoryTargetVcpusNameAndSysrqGoThroughXenstore) {
    const DomainId id = started();
    // The balloon target (KiB) goes down and up again within the domain's memory (64 MiB);
    // above it, or nothing at all, is refused and the key keeps its value.
    EXPECT_EQ(key(id, "memory/target"), "65536");
    ASSERT_TRUE(backend->set_memory_target(id, 32LL << 20).ok());
    EXPECT_EQ(key(id, "memory/target"), "32768");
    ASSERT_TRUE(backend->set_memory_target(id, 64LL << 20).ok());
    EXPECT_EQ(key(id, "memory/target"), "65536");
    EXPECT_EQ(backend->set_memory_target(id, 65LL << 20).error(),
              (BackendError{"INVALID_VALUE", {"memory_target", std::to_string(65LL << 20)}}));
    EXPECT_EQ(backend->set_memory_target(id, 0).error().code, "INVALID_VALUE");
    EXPECT_EQ(key(id, "memory/target"), "65536");
    ASSERT_TRUE(backend->set_vcpus_online(id, 2).ok());
    EXPECT_EQ(key(id, "cpu/1/availability"), "online");
    EXPECT_EQ(backend->domain_info(id)->vcpus_online, 2);
    EXPECT_EQ(backend->set_vcpus_online(id, 3).error(),
              (BackendError{"VM_TOO_MANY_VCPUS", {kUuid}}));
    EXPECT_EQ(backend->set_vcpus_online(id, 0).error().code, "VM_TOO_MANY_VCPUS");
    ASSERT_TRUE(backend->rename(id, "busybox-crashed-1").ok());
    EXPECT_EQ(backend->domain_info(id)->name, "busybox-crashed-1");
    ASSERT_TRUE(backend->send_sysrq(id, 'h').ok());
    EXPECT_EQ(key(id, "control/sysrq"), "h");
    EXPECT_EQ(backend->set_memory_target(DomainId{42}, 1 << 20).error().code, "HANDLE_INVALID");
    host->store_down = true;
    EXPECT_EQ(backend->rename(id, "x").error().code, "INTERNAL_ERROR");
}

TEST_F(TernBackendTest, AffinityWeightAndCapGoToTheScheduler) {
    const DomainId id = started();
    const auto raw = static_cast<std::uint32_t>(id.value);
    ASSERT_TRUE(backend->pin_vcpu(id, 0, {1, 3}).ok());
    EXPECT_EQ((host->affinity[{raw, 0u}]), 0b1010u);
    ASSERT_TRUE(backend->pin_vcpu(id, 1, {}).ok());
    EXPECT_EQ((host->affinity[{raw, 1u}]), ~0u);
    EXPECT_EQ(backend->pin_vcpu(id, 2, {0}).error(),
              (BackendError{"INVALID_VALUE", {"vcpu", "2"}}));
    EXPECT_EQ(backend->pin_vcpu(id, 0, {32}).error(),
              (BackendError{"INVALID_VALUE", {"cpumap", "32"}}));
    ASSERT_TRUE(backend->set_scheduler(id, 512, 50).ok());
    EXPECT_EQ(host->scheduling[raw], std::make_pair(512u, 50u));
    EXPECT_EQ(backend->set_scheduler(id, 0, 0).error().code, "INVALID_VALUE");
    EXPECT_EQ(backend->set_scheduler(id, 256, -1).error().code, "INVALID_VALUE");
    EXPECT_EQ(backend->set_scheduler(DomainId{42}, 256, 0).error().code, "HANDLE_INVALID");
}

TEST_F(TernBackendTest, WhatTernCannotDoYetIsNotImplementedNamingTheOperation) {
    const DomainId id = started();
    const auto expect = [](const BackendError& e, const std::string& operation) {
        EXPECT_EQ(e.code, "NOT_IMPLEMENTED");
        ASSERT_EQ(e.params.size(), 1u);
        EXPECT_EQ(e.params[0].rfind(operation, 0), 0u) << e.params[0];
        EXPECT_NE(e.params[0].find("tern backend"), std::string::npos) << e.params[0];
    };
    expect(backend->suspend(id, "/tmp/x", {}).error(), "VM.suspend");
    expect(backend->resume(busybox(), "/tmp/x", {}).error(), "VM.resume");
    expect(backend->migrate(id, "h", true, {}).error(), "VM.pool_migrate");
    expect(backend->core_dump(id, "/tmp/x").error(), "VM.core_dump");
    expect(backend->set_memory_max(id, 1 << 30).error(), "VM.set_memory_static_max");
    expect(backend->attach_disk(id, DiskConfig{"xvdb", "/d", false, false}).error(), "VBD.plug");
    expect(backend->detach_disk(id, "xvdb").error(), "VBD.unplug");
    expect(backend->attach_nic(id, NicConfig{"1", "", "", 1500}).error(), "VIF.plug");
    expect(backend->detach_nic(id, "1").error(), "VIF.unplug");
    expect(backend->send_trigger(id, GuestTrigger::nmi).error(), "VM.send_trigger");
    // Nothing changed.
    EXPECT_EQ(backend->domain_info(id)->state, DomainState::running);
}

TEST_F(TernBackendTest, TheConsoleIsConsoledsPtyInRawMode) {
    const DomainId id = started();
    EXPECT_EQ(backend->open_console(id).error().code, "INTERNAL_ERROR");  // no pty yet
    EXPECT_EQ(backend->open_console(DomainId{42}).error(),
              (BackendError{"HANDLE_INVALID", {"domain", "42"}}));
    // tern-consoled's side: the master of a pty whose slave xenstore names.
    const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
    ASSERT_GE(master, 0);
    ASSERT_EQ(::grantpt(master), 0);
    ASSERT_EQ(::unlockpt(master), 0);
    host->keys[FakeTernHost::key(static_cast<std::uint32_t>(id.value), "console/tty")] =
        ::ptsname(master);
    auto stream = backend->open_console(id);
    ASSERT_TRUE(stream.ok()) << stream.error().params.at(0);
    // Typed into the stream, it reaches the guest's side unchanged (no echo, no CR added).
    ASSERT_EQ(::write(stream.value().fd(), "ls\n", 3), 3);
    char buf[16] = {};
    ASSERT_EQ(::read(master, buf, sizeof buf), 3);
    EXPECT_EQ(std::string(buf, 3), "ls\n");
    // What the guest writes comes out of the stream.
    ASSERT_EQ(::write(master, "ok\n", 3), 3);
    ASSERT_EQ(::read(stream.value().fd(), buf, sizeof buf), 3);
    EXPECT_EQ(std::string(buf, 3), "ok\n");
    ::close(master);
}

TEST_F(TernBackendTest, AFailingListIsNoDomainsAndNoExits) {
    RecordingListener listener;
    (void)started();
    host->fail_list = true;
    EXPECT_TRUE(backend->list_domains().empty());
    backend->set_listener(&listener);
    backend->set_listener(nullptr);
    EXPECT_TRUE(listener.exits.empty());
}

}  // namespace
}  // namespace tern::xapi
