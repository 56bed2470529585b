// The Xen guest ABI for AArch64, as Tern implements it: the structures guests and Tern share,
// in Xen's spelling (the public headers of Xen 4.17), inside namespace tern::pub.
//
// Calling convention (../shared/reference/xen-arm-abi.md §1): a guest issues `HVC #0xEA1`
// with the hypercall number in x16 and up to five arguments in x0-x4; the result comes back
// in x0, negative values being -errno. Pointers passed as arguments and the "guest handles"
// inside these structures are guest virtual addresses of the calling vCPU, 8 bytes wide and
// 8-byte aligned. Frame numbers are guest frame numbers of the domain named. Everything is
// little-endian and laid out as AAPCS64 lays out C structs; tests/unit/hypervisor/abi checks
// every size and offset here against Debian's libxen-dev headers.
//
// Empty architecture structs are zero-sized in C; here they are [[no_unique_address]]
// members so that C++ does not give them a byte.
#pragma once

#include <cstdint>

namespace tern::pub {

using domid_t = std::uint16_t;
using xen_pfn_t = std::uint64_t;
using xen_ulong_t = std::uint64_t;
using evtchn_port_t = std::uint32_t;
using grant_ref_t = std::uint32_t;
using grant_handle_t = std::uint32_t;

// A guest pointer: a guest virtual address, never dereferenced directly.
template <class T>
struct alignas(8) guest_handle {
    std::uint64_t p;
};

// Hypercall numbers (Xen's __HYPERVISOR_*).
inline constexpr unsigned long kHypercallPlatformOp = 7;
inline constexpr unsigned long kHypercallMemoryOp = 12;
inline constexpr unsigned long kHypercallMulticall = 13;
inline constexpr unsigned long kHypercallXenVersion = 17;
inline constexpr unsigned long kHypercallConsoleIo = 18;
inline constexpr unsigned long kHypercallGrantTableOp = 20;
inline constexpr unsigned long kHypercallVmAssist = 21;
inline constexpr unsigned long kHypercallVcpuOp = 24;
inline constexpr unsigned long kHypercallSchedOp = 29;
inline constexpr unsigned long kHypercallEventChannelOp = 32;
inline constexpr unsigned long kHypercallPhysdevOp = 33;
inline constexpr unsigned long kHypercallHvmOp = 34;
inline constexpr unsigned long kHypercallSysctl = 35;
inline constexpr unsigned long kHypercallDomctl = 36;

// The ISS of the HVC that makes a hypercall (XEN_HYPERCALL_TAG).
inline constexpr std::uint32_t kHypercallTag = 0xEA1;

inline constexpr domid_t kDomidSelf = 0x7FF0;
inline constexpr domid_t kDomidInvalid = 0x7FF4;

// Time as the hypervisor publishes it to each vCPU.
struct vcpu_time_info {
    std::uint32_t version;
    std::uint32_t pad0;
    std::uint64_t tsc_timestamp;
    std::uint64_t system_time;
    std::uint32_t tsc_to_system_mul;
    std::int8_t tsc_shift;
    std::uint8_t flags;
    std::uint8_t pad1[2];
};

struct arch_vcpu_info {};
struct arch_shared_info {};

// Per-vCPU event state: whether an upcall is pending and which words of the pending bitmap
// have work.
struct vcpu_info {
    std::uint8_t evtchn_upcall_pending;
    std::uint8_t pad0;  // x86's evtchn_upcall_mask; Arm masks with PSTATE.I
    xen_ulong_t evtchn_pending_sel;
    [[no_unique_address]] arch_vcpu_info arch;
    vcpu_time_info time;
};

inline constexpr unsigned kLegacyMaxVcpus = 1;

// The page shared by every domain with the hypervisor: the 2-level event bitmaps and the
// wall clock.
struct shared_info {
    struct vcpu_info vcpu_info[kLegacyMaxVcpus];
    xen_ulong_t evtchn_pending[64];
    xen_ulong_t evtchn_mask[64];
    std::uint32_t wc_version;
    std::uint32_t wc_sec;
    std::uint32_t wc_nsec;
    std::uint32_t wc_sec_hi;
    [[no_unique_address]] arch_shared_info arch;
};

}  // namespace tern::pub
