// ConnectionSettings: which server xm talks to and as whom, resolved from (strongest first)
// the command line (--server, --user, --password-file), the environment (XM_SERVER, XM_USER,
// XM_PASSWORD), ~/.xm/config, /etc/xen/xm-config.xml (or $XM_CONFIG_FILE) and the default,
// the local Unix socket, where root needs no password.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config_error.hpp"

namespace tern::cli {

inline constexpr const char* kDefaultServer = "/var/run/xend/xen-api.sock";

struct ConnectionSettings {
    std::string server;  // https://host[:port], ssh://user@host, or a Unix socket path
    std::string user;
    std::optional<std::string> password;  // unset: ask when the server needs one
    bool insecure = false;                // skip TLS certificate verification (testing)

    // True for a Unix socket (a path, unix://, httpu://): the peer's uid is the credential.
    bool is_local_socket() const;
    // The socket path of a local server.
    std::string socket_path() const;
};

// What the command line said.
struct ConnectionFlags {
    std::optional<std::string> server;
    std::optional<std::string> user;
    std::optional<std::string> password_file;
    bool insecure = false;
};

// Where the defaults come from; replaceable in tests.
struct ConnectionSources {
    std::function<std::optional<std::string>(const std::string&)> environment;
    std::vector<std::string> config_files;  // weakest first
    static ConnectionSources from_process();
};

ConfigResult<ConnectionSettings> resolve_connection(const ConnectionFlags& flags,
                                                    const ConnectionSources& sources);

// Reads a password from the terminal without echoing it.
std::optional<std::string> prompt_password(const std::string& prompt);

}  // namespace tern::cli
