// Defines RunstateClock: Xen's vcpu_runstate_info for one vCPU, kept by the scheduler — the
// state the vCPU is in (running on a CPU, runnable but waiting for one, blocked, offline),
// since when (system time, ns), and the ns it has spent in each state so far. Guests read it
// for steal time (runnable + offline). Not locked: its owner's lock covers it.
#pragma once

#include <cstdint>

#include "public/vcpu.hpp"

namespace tern::hv {

enum class Runstate : int { running = 0, runnable = 1, blocked = 2, offline = 3 };

class RunstateClock {
  public:
    // Starts in `state` at `now` with nothing spent anywhere.
    void reset(Runstate state, std::uint64_t now) {
        info_ = {};
        info_.state = static_cast<int>(state);
        info_.state_entry_time = now;
    }
    // Leaves the current state at `now` (its time added up) for `state`; the same state again
    // only adds up the time so far. A `now` before the entry time counts as none.
    void enter(Runstate state, std::uint64_t now) {
        const std::uint64_t spent = now > info_.state_entry_time ? now - info_.state_entry_time : 0;
        info_.time[info_.state] += spent;
        info_.state = static_cast<int>(state);
        info_.state_entry_time = now > info_.state_entry_time ? now : info_.state_entry_time;
    }
    Runstate state() const { return static_cast<Runstate>(info_.state); }
    // The record as a guest reads it.
    const pub::vcpu_runstate_info& info() const { return info_; }

  private:
    pub::vcpu_runstate_info info_{0, 0, {0, 0, 0, 0}};
};

}  // namespace tern::hv
