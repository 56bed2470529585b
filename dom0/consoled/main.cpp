// tern-consoled: dom0's console daemon (Xen's xenconsoled for Tern). Every guest's PV console
// ring goes to a log file and to a pseudo-terminal (`tern-ctl console ID` attaches to it).
// Runs in the foreground until SIGINT or SIGTERM; needs xenstored and dom0's Xen devices.
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "dom0/consoled/console_daemon.hpp"
#include "dom0/control/control_error.hpp"
#include "xenstored/socket_transport.hpp"

namespace {

constexpr std::string_view kUsage =
    "Usage: tern-consoled [options]\n"
    "Serves every guest's console: a log file each, and a pty whose path goes to\n"
    "/local/domain/<id>/console/tty. In the foreground until SIGINT or SIGTERM.\n"
    "\n"
    "  --log-dir DIR      where guest-<id>.log files go (default /var/log/tern/console)\n"
    "  --xenstore PATH    xenstored's socket (default $XENSTORED_PATH or\n"
    "                     /var/run/xenstored/socket)\n"
    "  --privcmd PATH     the hypercall device (default /dev/xen/privcmd)\n"
    "  --verbose          say more about domains seen\n"
    "  --help             show this help\n";

}  // namespace

int main(int argc, char** argv) {
    using namespace tern::dom0;
    consoled::DaemonOptions options;
    const char* env_socket = std::getenv("XENSTORED_PATH");
    options.xenstore_socket = env_socket != nullptr ? env_socket : xenstored::kDefaultSocketPath;
    std::string privcmd_path = Privcmd::kDefaultPath;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return 0;
        } else if (arg == "--log-dir" && has_value) {
            options.log_dir = argv[++i];
        } else if (arg == "--xenstore" && has_value) {
            options.xenstore_socket = argv[++i];
        } else if (arg == "--privcmd" && has_value) {
            privcmd_path = argv[++i];
        } else if (arg == "--verbose" || arg == "-v") {
            options.verbose = true;
        } else {
            std::cerr << "tern-consoled: unknown or incomplete option '" << arg << "'\n" << kUsage;
            return 2;
        }
    }
    try {
        Privcmd privcmd(privcmd_path);
        ControlClient control(privcmd);
        consoled::ConsoleDaemon daemon(privcmd, control, options);
        return daemon.run();
    } catch (const std::exception& e) {
        std::cerr << "tern-consoled: " << e.what() << '\n';
        return 1;
    }
}
