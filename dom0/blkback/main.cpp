// tern-blkback: dom0's block backend in user space. It serves every vbd the toolstack lists
// under /local/domain/0/backend/vbd (params: the image's path, format: raw or qcow2, mode: w
// or r) to its guest's blkfront over the guest's ring, mapping the guest's pages through
// /dev/xen/gntdev and hearing it through /dev/xen/evtchn. In the foreground until SIGINT or
// SIGTERM; needs xenstored.
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "dom0/blkback/blkback_daemon.hpp"
#include "dom0/blkback/gntdev_mapper.hpp"
#include "dom0/control/control_error.hpp"
#include "dom0/control/grant_device.hpp"
#include "xenstored/socket_transport.hpp"
#include "xenstored/xen_devices.hpp"

namespace {

constexpr std::string_view kUsage =
    "Usage: tern-blkback [options]\n"
    "Serves guests' virtual block devices (raw and qcow2 images) from the vbd backend\n"
    "directories in xenstore. In the foreground until SIGINT or SIGTERM.\n"
    "\n"
    "  --xenstore PATH    xenstored's socket (default $XENSTORED_PATH or\n"
    "                     /var/run/xenstored/socket)\n"
    "  --gntdev PATH      the grant device (default /dev/xen/gntdev)\n"
    "  --help             show this help\n";

}  // namespace

int main(int argc, char** argv) {
    using namespace tern::dom0;
    blkback::DaemonOptions options;
    const char* env_socket = std::getenv("XENSTORED_PATH");
    options.xenstore_socket = env_socket != nullptr ? env_socket : xenstored::kDefaultSocketPath;
    std::string gntdev_path = GrantDevice::kDefaultPath;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        } else if (arg == "--xenstore" && has_value) {
            options.xenstore_socket = argv[++i];
        } else if (arg == "--gntdev" && has_value) {
            gntdev_path = argv[++i];
        } else {
            std::cerr << "tern-blkback: unknown or incomplete option '" << arg << "'\n" << kUsage;
            return 2;
        }
    }
    try {
        GrantDevice gntdev(gntdev_path);
        blkback::GntdevMapper mapper(gntdev);
        auto binder = [](std::uint32_t domain, std::uint32_t port) {
            std::string error;
            auto channel =
                xenstored::EvtchnDeviceChannel::bind(xenstored::DomainId{domain}, port, error);
            if (!channel)
                throw ControlError(error, EINVAL);
            return std::unique_ptr<xenstored::EventChannel>(std::move(channel));
        };
        blkback::BlkbackDaemon daemon(mapper, binder, options);
        return daemon.run();
    } catch (const std::exception& e) {
        std::cerr << "tern-blkback: " << e.what() << '\n';
        return 1;
    }
}
