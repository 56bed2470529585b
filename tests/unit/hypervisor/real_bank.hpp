// RealBank: host memory standing in for a bank of machine memory, for tests whose code reaches
// machine pages at their addresses (grant entries, shared_info, vcpu_info). 2 MiB aligned, so
// that stage-2 block mappings are possible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>

namespace tern::hv {

struct RealBank {
    explicit RealBank(std::size_t size = 8u << 20)
        : size(size), bytes(static_cast<std::uint8_t*>(std::aligned_alloc(2u << 20, size))) {}
    ~RealBank() { std::free(bytes); }
    RealBank(const RealBank&) = delete;
    RealBank& operator=(const RealBank&) = delete;
    std::uint64_t base() const { return reinterpret_cast<std::uintptr_t>(bytes); }
    std::size_t size;
    std::uint8_t* bytes;
};

}  // namespace tern::hv
