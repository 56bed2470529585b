#include "dom0/consoled/guest_console.hpp"

#include <cerrno>

#include "dom0/control/control_error.hpp"
#include "dom0/control/foreign_mapping.hpp"
#include "xenstored/xen_devices.hpp"

namespace tern::dom0::consoled {

namespace {

class ForeignConsolePage : public ConsolePage {
  public:
    ForeignConsolePage(Privcmd& privcmd, std::uint32_t domain, std::uint64_t gfn)
        : frames_{gfn}, mapping_(privcmd, domain, frames_) {}
    ConsoleInterface& ring() override {
        return *reinterpret_cast<ConsoleInterface*>(mapping_.data());
    }

  private:
    std::uint64_t frames_[1];
    ForeignMapping mapping_;
};

}  // namespace

std::unique_ptr<DomainConsole> attach_guest_console(Privcmd& privcmd, ControlClient& control,
                                                    std::uint32_t domain,
                                                    const std::string& log_path,
                                                    ConsoleLogger logger) {
    const std::uint64_t gfn = control.hvm_param(domain, kHvmParamConsolePfn);
    if (gfn == 0)
        return nullptr;
    const auto port = static_cast<std::uint32_t>(control.hvm_param(domain, kHvmParamConsoleEvtchn));
    auto page = std::make_unique<ForeignConsolePage>(privcmd, domain, gfn);
    std::string error;
    auto channel = xenstored::EvtchnDeviceChannel::bind(xenstored::DomainId{domain}, port, error);
    if (!channel)
        throw ControlError(error, EINVAL);
    return std::make_unique<DomainConsole>(domain, std::move(page), std::move(channel), log_path,
                                           std::move(logger));
}

}  // namespace tern::dom0::consoled
