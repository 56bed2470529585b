// ExitTracker: guest exits from successive domain lists.
#include "backend/tern/exit_tracker.hpp"

#include "backend/tern/tern_mapping.hpp"

namespace tern::xapi {

void ExitTracker::forget(std::uint32_t domain) {
    known_.erase(domain);
    stopped_.erase(domain);
    expected_.erase(domain);
}

std::vector<std::pair<DomainId, GuestExit>> ExitTracker::update(
    const std::vector<tern_domain_info>& now) {
    std::vector<std::pair<DomainId, GuestExit>> exits;
    std::set<std::uint32_t> listed;
    for (const tern_domain_info& d : now) {
        listed.insert(d.domain);
        if (d.state != TERN_DOMAIN_SHUTDOWN || stopped_.contains(d.domain))
            continue;
        stopped_.insert(d.domain);
        if (!expected_.contains(d.domain))
            exits.emplace_back(DomainId{static_cast<std::int32_t>(d.domain)},
                               exit_of(d.shutdown_reason));
    }
    for (std::uint32_t id : known_) {
        if (listed.contains(id))
            continue;
        if (!stopped_.contains(id) && !expected_.contains(id))
            exits.emplace_back(DomainId{static_cast<std::int32_t>(id)}, GuestExit::vanished);
        stopped_.erase(id);
        expected_.erase(id);
    }
    known_ = std::move(listed);
    return exits;
}

}  // namespace tern::xapi
