// Defines GuestWatcher: what xapid does when a guest stops by itself. The backend reports the
// exit (Listener); the watcher finds the VM of that domain and, on a worker, applies the VM's
// actions_after_shutdown, actions_after_reboot or actions_after_crash: destroy (the VM becomes
// Halted), restart (a new domain), preserve (the crashed domain is kept and the VM shows
// Paused), rename_restart (the crashed domain is kept under another name and a new one
// starts), coredump_and_destroy / coredump_and_restart (the core goes to
// <state-dir>/crashdumps/<uuid>.core first). A domain that vanished leaves its VM Halted.
#pragma once

#include <functional>

#include "backend/backend.hpp"

namespace tern::xapi {

struct ApiState;

class GuestWatcher final : public Listener {
  public:
    using Spawn = std::function<void(std::function<void()>)>;
    GuestWatcher(ApiState& state, Spawn spawn) : state_(state), spawn_(std::move(spawn)) {}

    void guest_exited(DomainId domain, GuestExit how) override;
    // The reaction itself, on the calling thread.
    void react(DomainId domain, GuestExit how);

  private:
    ApiState& state_;
    Spawn spawn_;
};

}  // namespace tern::xapi
