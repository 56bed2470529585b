// VIRQ_DOM_EXC and the hypervisor's domain list, over dom0's control library.
#include "xenstored/domain_watch.hpp"

#include <sys/stat.h>

#include <iostream>

#include "dom0/control/control_client.hpp"
#include "dom0/control/control_error.hpp"
#include "xenstored/xen_devices.hpp"

namespace tern::dom0::xenstored {
namespace {

struct DomainWatchState {
    std::unique_ptr<Privcmd> privcmd;
    std::unique_ptr<ControlClient> control;
    std::unique_ptr<EvtchnDeviceChannel> virq;
};

void refresh(XenstoreServer& server, DomainWatchState& state) {
    state.virq->acknowledge();
    try {
        std::map<std::uint32_t, DomainRunState> listed;
        for (const auto& info : state.control->list()) {
            listed[info.domain] = info.state == TERN_DOMAIN_SHUTDOWN ? DomainRunState::kShutdown
                                                                     : DomainRunState::kRunning;
        }
        server.update_domains(listed);
    } catch (const ControlError& e) {
        std::cerr << "xenstored: listing domains: " << e.what() << '\n';
    }
}

}  // namespace

bool start_domain_watch(XenstoreServer& server, EventLoop& loop, std::string& error) {
    struct stat st {};
    if (::stat(Privcmd::kDefaultPath, &st) != 0 || ::stat(kEvtchnDevice, &st) != 0) {
        return false;
    }
    auto state = std::make_shared<DomainWatchState>();
    try {
        state->privcmd = std::make_unique<Privcmd>();
        state->control = std::make_unique<ControlClient>(*state->privcmd);
    } catch (const ControlError& e) {
        error = e.what();
        return false;
    }
    state->virq = EvtchnDeviceChannel::bind_virq(kVirqDomainException, error);
    if (!state->virq) {
        return false;
    }
    loop.watch_fd(state->virq->fd(), [&server, state] { refresh(server, *state); });
    return true;
}

}  // namespace tern::dom0::xenstored
