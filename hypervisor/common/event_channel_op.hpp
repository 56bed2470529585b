// Declares event_channel_op: hypercall 32 for a domain, decoded from and answered into its
// memory through a GuestMemory, on the domain's EventChannels.
#pragma once

#include <cstdint>

#include "common/event_channels.hpp"
#include "common/guest_memory.hpp"

namespace tern::hv {

std::int64_t event_channel_op(EventChannels& events, GuestMemory& memory, std::uint64_t cmd,
                              std::uint64_t arg);

}  // namespace tern::hv
