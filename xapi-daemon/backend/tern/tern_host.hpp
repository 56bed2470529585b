// Defines TernHost: what the tern backend needs of dom0 — Tern's control ABI (domains, their
// state, CPU time and memory), the domain builder, and xenstored (the keys under
// /local/domain/<id> through which the backend talks to a guest's drivers). The backend's
// logic sits on this seam only, so that its unit tests run against a fake on any machine;
// Dom0TernHost (dom0_tern_host.hpp) is the real one over privcmd and xenstored's socket.
//
// Failures throw: dom0::ControlError for a hypervisor refusal (with its errno), StoreError
// when xenstored fails, std::runtime_error for anything else (a kernel that cannot be read).
// Every method may be called from any thread.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dom0/builder/guest_config.hpp"
#include "dom0/control/control_client.hpp"
#include "public/tern_control.h"

namespace tern::xapi {

// xenstored could not be reached or refused a request (as opposed to a bad kernel file).
class StoreError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class TernHost {
  public:
    virtual ~TernHost() = default;

    virtual dom0::PhysInfo physinfo() = 0;
    // Every domain but dom0.
    virtual std::vector<tern_domain_info> list() = 0;

    // Builds a paused domain from `config` (its handle included), writes its xenstore entries
    // and introduces it to xenstored; returns its id. Leaves nothing behind when it fails.
    virtual std::uint32_t build(const dom0::GuestConfig& config) = 0;
    virtual void pause(std::uint32_t domain) = 0;
    virtual void unpause(std::uint32_t domain) = 0;
    // Destroys the domain and removes it from xenstore.
    virtual void destroy(std::uint32_t domain) = 0;

    // The scheduler's weight (1..65535) and cap (percent of one CPU, 0: none) of the domain,
    // and the CPUs (a bit mask) one of its vCPUs may run on.
    virtual void set_scheduling(std::uint32_t domain, std::uint32_t weight, std::uint32_t cap) = 0;
    virtual void set_vcpu_affinity(std::uint32_t domain, std::uint32_t vcpu,
                                   std::uint32_t cpumap) = 0;

    // A key under /local/domain/<domain>/ (`key` is relative: "name", "control/shutdown");
    // nothing when it does not exist.
    virtual std::optional<std::string> read_key(std::uint32_t domain, const std::string& key) = 0;
    // Writes the key, owned by the domain (so its drivers may read, answer and clear it).
    virtual void write_key(std::uint32_t domain, const std::string& key,
                           const std::string& value) = 0;

    // Blocks until a domain may have changed state (xenstored's @releaseDomain fired) or
    // `timeout` passed, whichever is first.
    virtual void wait_for_domain_change(std::chrono::milliseconds timeout) = 0;
};

}  // namespace tern::xapi
