// BufferGuestMemory: a GuestMemory for host tests, one buffer at a guest virtual address;
// anything outside it faults as an unmapped guest address would.
#pragma once

#include <cstring>
#include <vector>

#include "common/guest_memory.hpp"

namespace tern::hv {

class BufferGuestMemory final : public GuestMemory {
  public:
    static constexpr std::uint64_t kBase = 0xffff000000001000;
    explicit BufferGuestMemory(std::size_t size = 4096) : bytes(size) {}
    bool read(std::uint64_t va, void* out, std::size_t size) override {
        if (va < kBase || va + size > kBase + bytes.size())
            return false;
        std::memcpy(out, bytes.data() + (va - kBase), size);
        return true;
    }
    bool write(std::uint64_t va, const void* in, std::size_t size) override {
        if (va < kBase || va + size > kBase + bytes.size())
            return false;
        std::memcpy(bytes.data() + (va - kBase), in, size);
        return true;
    }
    using GuestMemory::read;
    using GuestMemory::write;
    std::vector<std::uint8_t> bytes;
};

}  // namespace tern::hv
