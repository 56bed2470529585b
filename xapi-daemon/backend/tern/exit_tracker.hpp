// Defines ExitTracker: which domains stopped by themselves, from successive lists of the
// hypervisor's domains. A domain newly in the shutdown state is a guest exit (with its
// reason); a domain that disappeared without being destroyed by xapid vanished. Stops that
// xapid itself asked for (a clean shutdown, a destroy) are not exits. Not thread-safe: the
// backend holds its lock around it.
#pragma once

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "backend/backend.hpp"
#include "public/tern_control.h"

namespace tern::xapi {

class ExitTracker {
  public:
    // xapid is stopping this domain (clean shutdown): its shutdown is not a guest exit.
    void expect_stop(std::uint32_t domain) { expected_.insert(domain); }
    // The stop did not happen (a timeout): a later shutdown is the guest's own again.
    void unexpect_stop(std::uint32_t domain) { expected_.erase(domain); }
    // The domain was destroyed by xapid or is a new one with a reused id: forget its past.
    void forget(std::uint32_t domain);

    // The exits since the last update, from the hypervisor's list now.
    std::vector<std::pair<DomainId, GuestExit>> update(const std::vector<tern_domain_info>& now);

  private:
    std::set<std::uint32_t> known_;     // listed last time
    std::set<std::uint32_t> stopped_;   // in the shutdown state, already accounted for
    std::set<std::uint32_t> expected_;  // xapid stops these
};

}  // namespace tern::xapi
