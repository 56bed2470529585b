// Defines ApiState, what every call may reach (the store, the sessions, the handlers, the
// clock), and CallContext, one call's view of it: who calls, with which session.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "api/meta.hpp"
#include "handlers_generated.hpp"
#include "rpc/request_handler.hpp"

namespace tern::xapi {

class Backend;
class EventHub;
class ObjectStore;
class OperationClaim;
class SessionRegistry;
class SimBackend;
class TaskRegistry;
struct RunningTask;

using Clock = std::function<std::chrono::system_clock::time_point()>;

struct ApiState {
    ObjectStore& store;
    SessionRegistry& sessions;
    Handlers handlers;
    Clock clock;
    std::string host_ref;  // this host
    Backend* backend;      // the hypervisor
    TaskRegistry* tasks;   // the work of Async calls running now
    EventHub* events;      // event.register/next/from; null: no events kept
    SimBackend* sim;       // the simulator's controls, for the debug API; null unless `sim`
    std::filesystem::path state_dir;  // where suspend images and core dumps go
};

class CallContext {
  public:
    CallContext(ApiState& state, const rpc::Peer& peer) : state_(state), peer_(peer) {}

    ApiState& state() { return state_; }
    ObjectStore& store() { return state_.store; }
    Handlers& handlers() { return state_.handlers; }
    const rpc::Peer& peer() const { return peer_; }

    // The caller's session ("" for the login family) and the full method name called.
    const std::string& session() const { return session_; }
    void set_session(std::string ref) { session_ = std::move(ref); }
    const std::string& method() const { return method_; }
    void set_method(std::string name) { method_ = std::move(name); }

    // The task this call runs as (an Async call), or null for a synchronous call.
    const std::shared_ptr<RunningTask>& task() const { return task_; }
    void set_task(std::shared_ptr<RunningTask> task) { task_ = std::move(task); }

    // The VM operation an Async call claimed before it answered (dispatcher.hpp), for the
    // call's work to adopt; null when nothing was claimed or the work has adopted it.
    const std::shared_ptr<OperationClaim>& claim() const { return claim_; }
    void set_claim(std::shared_ptr<OperationClaim> claim) { claim_ = std::move(claim); }
    std::shared_ptr<OperationClaim> take_claim() { return std::move(claim_); }

    // A handler that answers with a value already in its wire form (event.from's struct)
    // says so; the dispatcher then sends it as it is.
    bool result_is_encoded() const { return result_is_encoded_; }
    void set_result_is_encoded() { result_is_encoded_ = true; }

    // A handler that answers later (event.next, event.from while nothing happens) takes the
    // completion; the dispatcher then answers nothing itself. The completion gets the whole
    // result struct (success or failure).
    using Completion = std::function<void(rpc::Value)>;
    bool can_defer() const { return static_cast<bool>(completion_); }
    Completion defer() {
        deferred_ = true;
        return completion_;
    }
    bool deferred() const { return deferred_; }
    void set_completion(Completion completion) { completion_ = std::move(completion); }

  private:
    ApiState& state_;
    const rpc::Peer& peer_;
    std::string session_;
    std::string method_;
    std::shared_ptr<RunningTask> task_;
    std::shared_ptr<OperationClaim> claim_;
    bool result_is_encoded_ = false;
    Completion completion_;
    bool deferred_ = false;
};

}  // namespace tern::xapi
