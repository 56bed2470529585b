#include "stream.hpp"

namespace tern::xenapi::detail {
namespace {

struct HostPort {
    std::string host, port;
};

// "host", "host:port", "[v6]:port"; anything after the first '/' is ignored.
HostPort split_authority(std::string_view rest, const std::string& default_port) {
    rest = rest.substr(0, rest.find('/'));
    HostPort hp{std::string(rest), default_port};
    if (rest.starts_with('[')) {
        const auto close = rest.find(']');
        if (close == std::string_view::npos)
            throw TransportError("bad address in URL: " + std::string(rest));
        hp.host = std::string(rest.substr(1, close - 1));
        if (close + 1 < rest.size() && rest[close + 1] == ':')
            hp.port = std::string(rest.substr(close + 2));
        return hp;
    }
    if (const auto colon = rest.rfind(':'); colon != std::string_view::npos) {
        hp.host = std::string(rest.substr(0, colon));
        hp.port = std::string(rest.substr(colon + 1));
    }
    if (hp.host.empty())
        throw TransportError("no host in URL");
    return hp;
}

}  // namespace

std::unique_ptr<Endpoint> make_endpoint(std::string_view url, const ConnectOptions& options) {
    auto strip = [&](std::string_view scheme) {
        if (!url.starts_with(scheme))
            return false;
        url.remove_prefix(scheme.size());
        return true;
    };
    if (strip("https://")) {
        HostPort hp = split_authority(url, "443");
        return make_tls_endpoint(hp.host, hp.port, options.tls);
    }
    if (strip("http://")) {
        HostPort hp = split_authority(url, "80");
        return make_tcp_endpoint(hp.host, hp.port);
    }
    if (strip("ssh://")) {
        HostPort hp = split_authority(url, "");
        return make_ssh_endpoint(hp.host, hp.port, options);
    }
    if (strip("unix://"))
        return make_unix_endpoint(std::string(url));
    if (url.starts_with('/'))
        return make_unix_endpoint(std::string(url));
    throw TransportError("unsupported URL \"" + std::string(url) +
                         "\" (https://, http://, unix://, ssh:// or a socket path)");
}

}  // namespace tern::xenapi::detail
