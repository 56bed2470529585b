// The vcpu_op structures of the guest ABI (hypercall 24), in Xen's spelling.
#pragma once

#include "public/xen.hpp"

namespace tern::pub {

inline constexpr unsigned kVcpuOpRegisterRunstateMemoryArea = 5;
inline constexpr unsigned kVcpuOpRegisterVcpuInfo = 10;

struct vcpu_runstate_info {
    int state;
    alignas(8) std::uint64_t state_entry_time;
    std::uint64_t time[4];
};

struct vcpu_register_runstate_memory_area {
    union {
        guest_handle<vcpu_runstate_info> h;
        std::uint64_t p;
    } addr;
};

struct vcpu_register_vcpu_info {
    std::uint64_t mfn;
    std::uint32_t offset;
    std::uint32_t rsvd;
};

}  // namespace tern::pub
