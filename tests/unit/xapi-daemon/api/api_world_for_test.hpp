// Defines ApiWorldForTest: an in-memory store, sessions, a sim backend, events, handlers and a
// dispatcher (which runs Async tasks at once, on the calling thread), with an injected clock,
// so that tests build their world with a few calls.
#pragma once

#include <chrono>
#include <memory>

#include "api/dispatcher.hpp"
#include "api/host_inventory.hpp"
#include "api/host_messages.hpp"
#include "api/object_rules.hpp"
#include "api/session_messages.hpp"
#include "api/session_registry.hpp"
#include "api/task_messages.hpp"
#include "api/task_registry.hpp"
#include "backend/sim/sim_backend.hpp"
#include "events/event_hub.hpp"
#include "events/event_messages.hpp"
#include "lifecycle/device_messages.hpp"
#include "lifecycle/guest_watcher.hpp"
#include "lifecycle/operation_slot.hpp"
#include "lifecycle/reconcile.hpp"
#include "lifecycle/vm_lifecycle.hpp"
#include "rpc/xmlrpc_codec.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {

struct ApiWorldForTest {
    std::chrono::system_clock::time_point now{
        std::chrono::sys_days{std::chrono::year{2026} / 11 / 24}};
    ObjectStore store{":memory:"};
    SessionRegistry sessions{std::chrono::seconds(600)};
    SimBackend sim{SimConfig{8LL << 30, 4, std::chrono::milliseconds(0), {}, {}}};
    TaskRegistry tasks;
    EventHub events{1000, [this] { return now; }};
    std::filesystem::path state_dir = std::filesystem::temp_directory_path() /
                                      ("xapi-world-" + std::to_string(::getpid()) + "-" +
                                       std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    ApiState state{store,   sessions, Handlers{}, [this] { return now; }, "", &sim, &tasks,
                   &events, &sim,     state_dir};
    Dispatcher dispatcher{state, [](std::function<void()> job) { job(); }};
    SessionHandlers session_handlers;
    HostHandlers host_handlers{[this] { return dispatcher.method_names(); }};
    DebugHandlers debug_handlers;
    VmLifecycle vm_handlers{LifecycleOptions{std::chrono::milliseconds(200)}};
    TaskHandlers task_handlers;
    EventHandlers event_handlers{[](std::function<void()> job) { job(); }};
    VbdHandlers vbd_handlers;
    VifHandlers vif_handlers;
    GuestWatcher watcher{state, [](std::function<void()> job) { job(); }};
    rpc::Peer local_root{rpc::Peer::Transport::unix_socket, 0, "test.sock", {}};

    ApiWorldForTest() {
        state.handlers.session = &session_handlers;
        state.handlers.host = &host_handlers;
        state.handlers.debug = &debug_handlers;
        state.handlers.VM = &vm_handlers;
        state.handlers.task = &task_handlers;
        state.handlers.event = &event_handlers;
        state.handlers.VBD = &vbd_handlers;
        state.handlers.VIF = &vif_handlers;
        seed_event_counts(store, events);
        encode_events_when_published(events);
        store.set_observer([this](std::vector<StoreChange>&& c) { events.publish(std::move(c)); });
        sim.set_listener(&watcher);
        install_object_rules(dispatcher);
        install_async_claims(dispatcher);
        MachineInfo machine;
        machine.hostname = "testhost";
        machine.memory_total = 8LL << 30;
        machine.cpus = {CpuInfo{0, "v", "m", "1", "f", 1000, 6, 1},
                        CpuInfo{1, "v", "m", "1", "f", 1000, 6, 1}};
        state.host_ref = ensure_inventory(state, machine);
        reconcile_with_backend(state);
    }
    ~ApiWorldForTest() {
        sim.set_listener(nullptr);
        store.set_observer(nullptr);
        std::error_code ignored;
        std::filesystem::remove_all(state_dir, ignored);
    }

    // The answer as a client reads it: through the codec, so that parts the daemon sends
    // already encoded (event snapshots) are values again.
    rpc::Value call(const std::string& method, rpc::Array params) {
        auto decoded = rpc::parse_method_response(
            rpc::encode_response(dispatcher.call(method, params, local_root)));
        return std::get<rpc::Value>(std::move(decoded));
    }
    std::string make_session_for_test() {
        return sessions.open(state, "root", Role::pool_admin, true, "test");
    }
};

// The Value of a Success, or a test failure.
inline rpc::Value ok_for_test(const rpc::Value& result) {
    const auto& s = result.as<rpc::Struct>();
    EXPECT_EQ(s.at("Status"), rpc::Value{"Success"})
        << (s.contains("ErrorDescription")
                ? s.at("ErrorDescription").as<rpc::Array>()[0].as<std::string>()
                : "");
    return s.contains("Value") ? s.at("Value") : rpc::Value{};
}

// The ErrorDescription of a Failure as strings, or a test failure.
inline std::vector<std::string> error_for_test(const rpc::Value& result) {
    const auto& s = result.as<rpc::Struct>();
    EXPECT_EQ(s.at("Status"), rpc::Value{"Failure"});
    std::vector<std::string> out;
    if (!s.contains("ErrorDescription"))
        return out;
    for (const rpc::Value& v : s.at("ErrorDescription").as<rpc::Array>())
        out.push_back(v.as<std::string>());
    return out;
}

}  // namespace tern::xapi
