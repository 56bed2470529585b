// The sched_op and hvm_op structures of the guest ABI (hypercalls 29 and 34), in Xen's
// spelling.
#pragma once

#include "public/xen.hpp"

namespace tern::pub {

inline constexpr unsigned kSchedOpYield = 0;
inline constexpr unsigned kSchedOpBlock = 1;
inline constexpr unsigned kSchedOpShutdown = 2;
inline constexpr unsigned kSchedOpPoll = 3;

inline constexpr unsigned kShutdownPoweroff = 0;
inline constexpr unsigned kShutdownReboot = 1;
inline constexpr unsigned kShutdownSuspend = 2;
inline constexpr unsigned kShutdownCrash = 3;
inline constexpr unsigned kShutdownWatchdog = 4;

constexpr const char* shutdown_reason_name(unsigned reason) {
    constexpr const char* kNames[] = {"poweroff", "reboot", "suspend", "crash", "watchdog"};
    return reason < 5 ? kNames[reason] : "unknown";
}

struct sched_shutdown {
    unsigned int reason;
};

struct sched_poll {
    guest_handle<evtchn_port_t> ports;
    unsigned int nr_ports;
    std::uint64_t timeout;
};

inline constexpr unsigned kHvmOpSetParam = 0;
inline constexpr unsigned kHvmOpGetParam = 1;
inline constexpr unsigned kHvmParamCallbackIrq = 0;
inline constexpr unsigned kHvmParamStorePfn = 1;
inline constexpr unsigned kHvmParamStoreEvtchn = 2;
inline constexpr unsigned kHvmParamConsolePfn = 17;
inline constexpr unsigned kHvmParamConsoleEvtchn = 18;

struct xen_hvm_param {
    domid_t domid;
    std::uint32_t index;
    std::uint64_t value;
};

}  // namespace tern::pub
