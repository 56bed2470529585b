// Declares how the daemon reaches a real guest's console: the page and port the domain builder
// recorded in its HVM params (CONSOLE_PFN, CONSOLE_EVTCHN), the page mapped through privcmd's
// foreign mapping and the port bound through /dev/xen/evtchn.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "dom0/consoled/domain_console.hpp"
#include "dom0/control/control_client.hpp"
#include "dom0/control/privcmd.hpp"

namespace tern::dom0::consoled {

inline constexpr std::uint32_t kHvmParamConsolePfn = 17;
inline constexpr std::uint32_t kHvmParamConsoleEvtchn = 18;

// The guest's console, or nullptr when it has none (not built yet: no CONSOLE_PFN). Throws
// ControlError or std::system_error when it has one that cannot be reached.
std::unique_ptr<DomainConsole> attach_guest_console(Privcmd& privcmd, ControlClient& control,
                                                    std::uint32_t domain,
                                                    const std::string& log_path,
                                                    ConsoleLogger logger);

}  // namespace tern::dom0::consoled
