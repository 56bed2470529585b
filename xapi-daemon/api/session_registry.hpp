// Defines SessionRegistry: the live sessions, what each may do, and their idle expiry.
//
// A session is also an object of class `session` in the store (in memory only, never
// persisted: a restarted daemon asks clients to log in again, and they do on SESSION_INVALID).
// The registry keeps what the API does not show: the role, the last use, the peer's uid.
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "api/call_context.hpp"

namespace tern::xapi {

enum class Role { read_only = 0, vm_operator = 1, pool_admin = 2 };
std::optional<Role> role_from_name(std::string_view name);

struct SessionInfo {
    std::string user;
    Role role = Role::read_only;
    std::chrono::system_clock::time_point last_active;
};

class SessionRegistry {
  public:
    SessionRegistry(std::chrono::seconds idle_timeout) : idle_timeout_(idle_timeout) {}

    // Opens a session for `user` and records it in the store; returns its reference.
    std::string open(ApiState& state, const std::string& user, Role role, bool local_superuser,
                     const std::string& originator);
    // Checks `ref` names a live session and marks it used; throws SESSION_INVALID(ref).
    SessionInfo touch(ApiState& state, const std::string& ref);
    void close(ApiState& state, const std::string& ref);
    // Closes every session idle for longer than the timeout.
    void expire(ApiState& state);

  private:
    std::chrono::seconds idle_timeout_;
    std::mutex mutex_;
    std::unordered_map<std::string, SessionInfo> sessions_;
};

}  // namespace tern::xapi
