// Defines ApiState, what every call may reach (the store, the sessions, the handlers, the
// clock), and CallContext, one call's view of it: who calls, with which session.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "api/meta.hpp"
#include "handlers_generated.hpp"
#include "rpc/request_handler.hpp"

namespace tern::xapi {

class ObjectStore;
class SessionRegistry;

using Clock = std::function<std::chrono::system_clock::time_point()>;

struct ApiState {
    ObjectStore& store;
    SessionRegistry& sessions;
    Handlers handlers;
    Clock clock;
    std::string host_ref;  // this host
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

  private:
    ApiState& state_;
    const rpc::Peer& peer_;
    std::string session_;
    std::string method_;
};

}  // namespace tern::xapi
