#include <netdb.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "stream.hpp"

namespace tern::xenapi::detail {

SigpipeGuard::SigpipeGuard() {
    sigset_t pending, pipe, old;
    sigemptyset(&pending);
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, &old);
    was_blocked_ = sigismember(&old, SIGPIPE) == 1;
}

SigpipeGuard::~SigpipeGuard() {
    if (!was_pending_) {
        sigset_t pending, pipe;
        sigemptyset(&pending);
        sigpending(&pending);
        if (sigismember(&pending, SIGPIPE) == 1) {
            sigemptyset(&pipe);
            sigaddset(&pipe, SIGPIPE);
            const timespec zero{0, 0};
            while (sigtimedwait(&pipe, nullptr, &zero) == -1 && errno == EINTR) {
            }
        }
    }
    if (!was_blocked_) {
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_UNBLOCK, &pipe, nullptr);
    }
}

SocketStream::~SocketStream() {
    ::close(fd_);
}

void SocketStream::write_all(std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            throw TransportError(std::string("send: ") + std::strerror(errno));
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::size_t SocketStream::read_some(char* buf, std::size_t len) {
    for (;;) {
        const ssize_t n = ::recv(fd_, buf, len, 0);
        if (n >= 0)
            return static_cast<std::size_t>(n);
        if (errno != EINTR)
            throw TransportError(std::string("recv: ") + std::strerror(errno));
    }
}

int connect_tcp(const std::string& host, const std::string& port) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    if (const int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0)
        throw TransportError("cannot resolve " + host + ": " + gai_strerror(rc));
    std::string error = "no address";
    for (addrinfo* a = found; a; a = a->ai_next) {
        const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0)
            continue;
        if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
            freeaddrinfo(found);
            return fd;
        }
        error = std::strerror(errno);
        ::close(fd);
    }
    freeaddrinfo(found);
    throw TransportError("cannot connect to " + host + ":" + port + ": " + error);
}

namespace {

class UnixEndpoint : public Endpoint {
  public:
    explicit UnixEndpoint(std::string path) : path_(std::move(path)) {}

    std::unique_ptr<Stream> open() override {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        if (path_.size() >= sizeof addr.sun_path)
            throw TransportError("Unix socket path too long: " + path_);
        std::memcpy(addr.sun_path, path_.c_str(), path_.size() + 1);
        const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
            throw TransportError(std::string("socket: ") + std::strerror(errno));
        if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
            const std::string why = std::strerror(errno);
            ::close(fd);
            throw TransportError("cannot connect to " + path_ + ": " + why);
        }
        return std::make_unique<SocketStream>(fd);
    }
    std::string host() const override { return "localhost"; }

  private:
    std::string path_;
};

class TcpEndpoint : public Endpoint {
  public:
    TcpEndpoint(std::string host, std::string port)
        : host_(std::move(host)), port_(std::move(port)) {}
    std::unique_ptr<Stream> open() override {
        return std::make_unique<SocketStream>(connect_tcp(host_, port_));
    }
    std::string host() const override { return host_; }

  private:
    std::string host_, port_;
};

}  // namespace

std::unique_ptr<Endpoint> make_unix_endpoint(std::string path) {
    return std::make_unique<UnixEndpoint>(std::move(path));
}

std::unique_ptr<Endpoint> make_tcp_endpoint(std::string host, std::string port) {
    return std::make_unique<TcpEndpoint>(std::move(host), std::move(port));
}

}  // namespace tern::xenapi::detail
