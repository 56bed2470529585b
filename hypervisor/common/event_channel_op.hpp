// Declares event_channel_op: hypercall 32 for a domain, decoded from and answered into its
// memory through a GuestMemory, on the domain's EventChannels.
#pragma once

#include <cstdint>

#include "common/event_channels.hpp"
#include "common/guest_memory.hpp"

namespace tern::hv {

// Other domains' tables, for a caller that may name them (the control domain): allocating an
// unbound port in another domain, binding to another domain's port, asking a port's status.
class DomainEventsLookup {
  public:
    virtual EventChannels* events_of(pub::domid_t domain) = 0;

  protected:
    ~DomainEventsLookup() = default;
};

// `others` is null for a caller that may only name itself.
std::int64_t event_channel_op(EventChannels& events, GuestMemory& memory, std::uint64_t cmd,
                              std::uint64_t arg, DomainEventsLookup* others = nullptr);

}  // namespace tern::hv
