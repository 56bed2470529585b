// Consoles over HTTP CONNECT: the socket, TLS when the server is https://, the answer's head.
#include "api/console_tunnel.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <utility>

#include "api/ssh_console_stream.hpp"
#include "api/xen_api.hpp"

namespace tern::cli {
namespace {

struct ServerAddress {
    bool tls = false;
    std::string host;
    std::string port;
};

ServerAddress parse_server(const std::string& server) {
    ServerAddress address;
    std::string rest;
    if (server.rfind("https://", 0) == 0) {
        address.tls = true;
        address.port = "443";
        rest = server.substr(8);
    } else if (server.rfind("http://", 0) == 0) {
        address.port = "80";
        rest = server.substr(7);
    } else {
        throw std::runtime_error("console: cannot reach consoles through " + server +
                                 " (use https://, http://, ssh:// or the local Unix socket)");
    }
    rest = rest.substr(0, rest.find('/'));
    if (auto at = rest.rfind('@'); at != std::string::npos) {
        rest = rest.substr(at + 1);
    }
    if (!rest.empty() && rest.front() == '[') {
        const auto close = rest.find(']');
        address.host = rest.substr(1, close - 1);
        if (close != std::string::npos && close + 1 < rest.size() && rest[close + 1] == ':') {
            address.port = rest.substr(close + 2);
        }
    } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
        address.host = rest.substr(0, colon);
        address.port = rest.substr(colon + 1);
    } else {
        address.host = rest;
    }
    return address;
}

int connect_unix(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        if (fd >= 0) {
            ::close(fd);
        }
        throw std::runtime_error("console: cannot connect to " + path);
    }
    return fd;
}

int connect_tcp(const std::string& host, const std::string& port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (::getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) {
        throw std::runtime_error("console: cannot resolve " + host);
    }
    int fd = -1;
    for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
        fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd >= 0 && ::connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            ::close(fd);
            fd = -1;
        }
    }
    ::freeaddrinfo(found);
    if (fd < 0) {
        throw std::runtime_error("console: cannot connect to " + host + ":" + port);
    }
    return fd;
}

// One connection, plain or TLS, spoken to with blocking calls.
class Channel {
  public:
    explicit Channel(int fd) : fd_(fd) {}
    Channel(const Channel&) = delete;
    Channel& operator=(const Channel&) = delete;
    ~Channel() {
        if (ssl_ != nullptr) {
            SSL_free(ssl_);
        }
        if (ctx_ != nullptr) {
            SSL_CTX_free(ctx_);
        }
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }

    void start_tls(const std::string& host, bool verify) {
        ctx_ = SSL_CTX_new(TLS_client_method());
        if (ctx_ == nullptr) {
            throw std::runtime_error("console: cannot set up TLS");
        }
        if (verify) {
            SSL_CTX_set_default_verify_paths(ctx_);
            SSL_CTX_set_verify(ctx_, SSL_VERIFY_PEER, nullptr);
        }
        ssl_ = SSL_new(ctx_);
        SSL_set_fd(ssl_, fd_);
        SSL_set_tlsext_host_name(ssl_, host.c_str());
        if (verify) {
            SSL_set1_host(ssl_, host.c_str());
        }
        if (SSL_connect(ssl_) != 1) {
            char text[256] = "";
            ERR_error_string_n(ERR_get_error(), text, sizeof text);
            throw std::runtime_error("console: TLS with " + host + " failed: " + text);
        }
    }

    bool tls() const { return ssl_ != nullptr; }
    int fd() const { return fd_; }
    int release() { return std::exchange(fd_, -1); }
    bool pending() const { return ssl_ != nullptr && SSL_pending(ssl_) > 0; }

    // Bytes read: 0 at the end, -1 when a non-blocking TLS read has nothing yet.
    ssize_t read(char* buffer, std::size_t size) {
        if (ssl_ == nullptr) {
            return ::read(fd_, buffer, size);
        }
        const int n = SSL_read(ssl_, buffer, static_cast<int>(size));
        if (n > 0) {
            return n;
        }
        const int error = SSL_get_error(ssl_, n);
        return error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ? -1 : 0;
    }

    bool write_all(const char* data, std::size_t size) {
        while (size > 0) {
            ssize_t n = 0;
            if (ssl_ != nullptr) {
                n = SSL_write(ssl_, data, static_cast<int>(size));
                if (n <= 0) {
                    // A non-blocking socket that is full: wait for room, then the same write.
                    const int error = SSL_get_error(ssl_, static_cast<int>(n));
                    if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
                        return false;
                    }
                    pollfd wait{fd_,
                                static_cast<short>(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT),
                                0};
                    ::poll(&wait, 1, -1);
                    continue;
                }
            } else {
                n = ::write(fd_, data, size);
                if (n <= 0) {
                    return false;
                }
            }
            data += n;
            size -= static_cast<std::size_t>(n);
        }
        return true;
    }

  private:
    int fd_;
    SSL_CTX* ctx_ = nullptr;
    SSL* ssl_ = nullptr;
};

bool write_fd(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n <= 0) {
            return false;
        }
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// Relays between the TLS connection and the local end of a socket pair until either closes.
// The TLS socket is non-blocking, so that a record that is not data (a session ticket) never
// holds up what the user types.
void relay_tls(std::unique_ptr<Channel> channel, int local) {
    ::fcntl(channel->fd(), F_SETFL, ::fcntl(channel->fd(), F_GETFL) | O_NONBLOCK);
    char buffer[16384];
    pollfd fds[2] = {{channel->fd(), POLLIN, 0}, {local, POLLIN, 0}};
    for (;;) {
        if (channel->pending()) {
            fds[0].revents = POLLIN;
            fds[1].revents = 0;
        } else if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            const ssize_t n = channel->read(buffer, sizeof buffer);
            if (n == 0 || (n > 0 && !write_fd(local, buffer, static_cast<std::size_t>(n)))) {
                break;
            }
        }
        if ((fds[1].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            const ssize_t n = ::read(local, buffer, sizeof buffer);
            if (n <= 0 || !channel->write_all(buffer, static_cast<std::size_t>(n))) {
                break;
            }
        }
    }
    ::close(local);
}

// Reads the answer's head (status line and headers) byte by byte, so that nothing of the
// console stream after it is consumed.
std::string read_head(Channel& channel) {
    std::string head;
    char c = 0;
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536 &&
           channel.read(&c, 1) == 1) {
        head += c;
    }
    return head;
}

// The refusal's body: the server closes the connection after it.
std::string read_body(Channel& channel) {
    std::string body;
    char buffer[4096];
    ssize_t n = 0;
    while (body.size() < 65536 && (n = channel.read(buffer, sizeof buffer)) > 0) {
        body.append(buffer, static_cast<std::size_t>(n));
    }
    return body;
}

[[noreturn]] void refuse(const std::string& status, const std::string& body) {
    // xapid names the XenAPI error as a JSON array: ["CODE", "param", ...].
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_array() && !parsed.empty() && parsed[0].is_string()) {
        std::vector<std::string> params;
        for (std::size_t i = 1; i < parsed.size(); ++i) {
            params.push_back(parsed[i].is_string() ? parsed[i].get<std::string>()
                                                   : parsed[i].dump());
        }
        throw ApiFailure(parsed[0].get<std::string>(), params);
    }
    std::string text = body;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.pop_back();
    }
    throw std::runtime_error("console: the server refused the console (" +
                             (status.empty() ? std::string("no answer") : status) + ")" +
                             (text.empty() ? "" : ": " + text));
}

}  // namespace

int open_console_tunnel(const ConnectionSettings& settings, const std::string& target) {
    std::unique_ptr<Channel> channel;
    std::string host = "localhost";
    if (settings.is_local_socket()) {
        channel = std::make_unique<Channel>(connect_unix(settings.socket_path()));
    } else if (settings.server.rfind("ssh://", 0) == 0) {
        channel = std::make_unique<Channel>(open_ssh_stream(settings.server));
    } else {
        const ServerAddress address = parse_server(settings.server);
        host = address.host;
        channel = std::make_unique<Channel>(connect_tcp(address.host, address.port));
        if (address.tls) {
            channel->start_tls(address.host, !settings.insecure);
        }
    }
    const std::string request = "CONNECT " + target + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n";
    if (!channel->write_all(request.data(), request.size())) {
        throw std::runtime_error("console: the server closed the connection");
    }
    const std::string head = read_head(*channel);
    const std::string status = head.substr(0, head.find("\r\n"));
    const auto space = status.find(' ');
    if (space == std::string::npos || status.compare(space + 1, 3, "200") != 0) {
        refuse(status, read_body(*channel));
    }
    if (!channel->tls()) {
        return channel->release();
    }
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        throw std::runtime_error("console: cannot make a socket pair");
    }
    std::thread(relay_tls, std::move(channel), pair[1]).detach();
    return pair[0];
}

}  // namespace tern::cli
