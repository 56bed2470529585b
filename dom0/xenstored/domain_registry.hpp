// Defines DomainRegistry, the domains introduced to xenstored (INTRODUCE until RELEASE).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "xenstored/domain_id.hpp"
#include "xenstored/watch_registry.hpp"

namespace tern::dom0::xenstored {

struct DomainRecord {
    DomainId domid;
    std::uint64_t mfn = 0;
    std::uint32_t event_channel = 0;
    // The connection over the domain's ring, if one could be mapped.
    std::optional<ConnectionId> connection;
    // SET_TARGET: the domain this one acts for.
    std::optional<DomainId> target;
    // A @releaseDomain was sent for the domain's shutdown (RESUME clears it).
    bool shutdown_reported = false;
};

class DomainRegistry {
  public:
    DomainRecord* find(DomainId domid) {
        const auto it = domains_.find(domid.value);
        return it == domains_.end() ? nullptr : &it->second;
    }
    DomainRecord& add(DomainRecord record) {
        return domains_.insert_or_assign(record.domid.value, record).first->second;
    }
    void remove(DomainId domid) { domains_.erase(domid.value); }
    std::size_t size() const { return domains_.size(); }
    std::vector<DomainId> ids() const {
        std::vector<DomainId> out;
        for (const auto& [id, record] : domains_) {
            out.push_back(record.domid);
        }
        return out;
    }

  private:
    std::map<std::uint32_t, DomainRecord> domains_;
};

}  // namespace tern::dom0::xenstored
