// xenstored: the xenstore daemon of Tern's dom0, which also runs on a host without Xen.
// Runs in the foreground until SIGINT or SIGTERM.
#include <sys/stat.h>
#include <unistd.h>

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "xenstored/domain_watch.hpp"
#include "xenstored/event_loop.hpp"
#include "xenstored/file_ring_for_test.hpp"
#include "xenstored/socket_transport.hpp"
#include "xenstored/xen_devices.hpp"

namespace {

using namespace tern::dom0::xenstored;

constexpr std::string_view kUsage =
    "Usage: xenstored [options]\n"
    "The xenstore daemon, in the foreground until SIGINT or SIGTERM.\n"
    "\n"
    "  --socket PATH           Unix socket for dom0's tools (default /var/run/xenstored/socket,\n"
    "                          where libxenstore looks unless XENSTORED_PATH is set)\n"
    "  --xenbus-backend PATH   dom0 kernel's xenbus backend device, used when present\n"
    "                          (default /dev/xen/xenbus_backend)\n"
    "  --no-xenbus-backend     do not serve dom0's kernel\n"
    "  --quota NAME=VALUE      set a per-domain quota; names and defaults:\n"
    "                          nodes 1000, watches 128, transactions 10, entry-size 2048,\n"
    "                          permissions 5, request-size 4096\n"
    "  --guest-ring-for-test DIR:DOMID\n"
    "                          serve a test's ring as domain DOMID (see file_ring_for_test.hpp)\n"
    "  --verbose               log connections and requests to stderr\n"
    "  --help                  show this help\n";

struct Options {
    std::string socket_path = kDefaultSocketPath;
    std::string xenbus_backend = kXenbusBackendDevice;
    bool use_xenbus_backend = true;
    bool verbose = false;
    Quotas quotas;
    std::vector<std::pair<std::string, DomainId>> test_rings;
};

// Parses the command line; returns false after printing why (or the help) to `out`.
bool parse_options(int argc, char** argv, Options& options, int& exit_code) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            exit_code = 0;
            return false;
        } else if (arg == "--socket" && has_value) {
            options.socket_path = argv[++i];
        } else if (arg == "--xenbus-backend" && has_value) {
            options.xenbus_backend = argv[++i];
        } else if (arg == "--no-xenbus-backend") {
            options.use_xenbus_backend = false;
        } else if (arg == "--guest-ring-for-test" && has_value) {
            const std::string_view setting = argv[++i];
            const auto colon = setting.rfind(':');
            const auto domid = colon == std::string_view::npos
                                   ? std::nullopt
                                   : parse_decimal(setting.substr(colon + 1));
            if (!domid || *domid == 0 || *domid >= kFirstReservedDomid) {
                std::cerr << "xenstored: bad test ring '" << setting << "'\n" << kUsage;
                exit_code = 2;
                return false;
            }
            options.test_rings.emplace_back(std::string(setting.substr(0, colon)),
                                            DomainId{static_cast<std::uint32_t>(*domid)});
        } else if (arg == "--verbose" || arg == "-v") {
            options.verbose = true;
        } else if (arg == "--quota" && has_value) {
            const std::string_view setting = argv[++i];
            const auto equals = setting.find('=');
            const auto value = equals == std::string_view::npos
                                   ? std::nullopt
                                   : parse_decimal(setting.substr(equals + 1));
            if (!value || !options.quotas.set(setting.substr(0, equals), *value)) {
                std::cerr << "xenstored: bad quota '" << setting << "'\n" << kUsage;
                exit_code = 2;
                return false;
            }
        } else {
            std::cerr << "xenstored: unknown or incomplete option '" << arg << "'\n" << kUsage;
            exit_code = 2;
            return false;
        }
    }
    return true;
}

std::unique_ptr<Transport> connect_guest(DomainId domid, std::uint64_t frame, std::uint32_t port) {
    struct stat st {};
    if (::stat(kEvtchnDevice, &st) != 0) {
        return nullptr;  // No Xen here: the domain is recorded without a ring.
    }
    std::string error;
    auto transport = connect_guest_ring(domid, frame, port, error);
    if (!transport) {
        std::cerr << "xenstored: domain " << domid.value << ": " << error << '\n';
    }
    return transport;
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    int exit_code = 0;
    if (!parse_options(argc, argv, options, exit_code)) {
        return exit_code;
    }
    XenstoreServer server(options.quotas, connect_guest);
    server.set_logging(options.verbose);

    std::string error;
    UniqueFd listen_fd = listen_unix_socket(options.socket_path, error);
    if (!listen_fd.valid()) {
        std::cerr << "xenstored: " << error << '\n';
        return 1;
    }
    EventLoop loop(server, std::move(listen_fd));
    if (options.use_xenbus_backend) {
        if (auto transport = open_xenbus_backend(options.xenbus_backend, error)) {
            loop.watch_connection(
                server.add_connection(std::move(transport), Caller{kDom0, true, {}}));
        } else if (!error.empty()) {
            std::cerr << "xenstored: " << error << " (dom0's kernel is not served)\n";
        }
    }
    for (const auto& [directory, domid] : options.test_rings) {
        auto transport = open_file_ring_for_test(directory, error);
        if (!transport) {
            std::cerr << "xenstored: " << error << '\n';
            return 1;
        }
        loop.watch_connection(
            server.add_connection(std::move(transport), Caller{domid, false, {}}));
    }
    error.clear();
    if (!start_domain_watch(server, loop, error) && !error.empty()) {
        std::cerr << "xenstored: " << error << " (domain shutdowns are not followed)\n";
    }
    if (options.verbose) {
        std::clog << "xenstored: listening on " << options.socket_path << '\n';
    }
    const bool ok = loop.run(error);
    ::unlink(options.socket_path.c_str());
    if (!ok) {
        std::cerr << "xenstored: " << error << '\n';
        return 1;
    }
    return 0;
}
