// Defines CallerMemory: the GuestMemory of the vCPU that trapped on this CPU, reached through
// its own stage-1 and stage-2 translation (the arch's copy_from_guest / copy_to_guest).
#pragma once

#include "common/guest_memory.hpp"
#include "tern/arch/guest.hpp"

namespace tern::hv {

class CallerMemory final : public GuestMemory {
  public:
    bool read(std::uint64_t va, void* out, std::size_t size) override {
        return arch::copy_from_guest(va, out, size);
    }
    bool write(std::uint64_t va, const void* in, std::size_t size) override {
        return arch::copy_to_guest(va, in, size);
    }
    using GuestMemory::read;
    using GuestMemory::write;
};

}  // namespace tern::hv
