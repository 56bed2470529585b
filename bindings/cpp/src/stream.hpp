// Byte streams a connection runs over, and the endpoints that open them: a socket (Unix or
// TCP), TLS over TCP, or the pipes of an ssh child process.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "tern/xenapi/session.hpp"

namespace tern::xenapi::detail {

class Stream {
  public:
    virtual ~Stream() = default;
    // Writes everything or throws TransportError.
    virtual void write_all(std::string_view data) = 0;
    // Reads at least one byte; 0 means the peer closed. Errors throw TransportError.
    virtual std::size_t read_some(char* buf, std::size_t len) = 0;
};

class Endpoint {
  public:
    virtual ~Endpoint() = default;
    virtual std::unique_ptr<Stream> open() = 0;
    // The Host header of requests.
    virtual std::string host() const = 0;
};

// The endpoint a URL names (see session.hpp); unknown schemes raise TransportError.
std::unique_ptr<Endpoint> make_endpoint(std::string_view url, const ConnectOptions& options);

// Endpoint kinds, one file each.
std::unique_ptr<Endpoint> make_unix_endpoint(std::string path);
std::unique_ptr<Endpoint> make_tcp_endpoint(std::string host, std::string port);
std::unique_ptr<Endpoint> make_tls_endpoint(std::string host, std::string port,
                                            const TlsOptions& options);
std::unique_ptr<Endpoint> make_ssh_endpoint(std::string target, std::string port,
                                            const ConnectOptions& options);

// A connected stream socket; closes it on destruction.
class SocketStream : public Stream {
  public:
    explicit SocketStream(int fd) : fd_(fd) {}
    ~SocketStream() override;
    void write_all(std::string_view data) override;
    std::size_t read_some(char* buf, std::size_t len) override;
    int fd() const { return fd_; }

  private:
    int fd_;
};

// Connects a TCP socket to host:port (any address family), or throws TransportError.
int connect_tcp(const std::string& host, const std::string& port);

// Blocks SIGPIPE in this thread while alive, and swallows one raised meanwhile, so that a
// write to a closed pipe or socket becomes an EPIPE error rather than a dead process.
class SigpipeGuard {
  public:
    SigpipeGuard();
    ~SigpipeGuard();
    SigpipeGuard(const SigpipeGuard&) = delete;
    SigpipeGuard& operator=(const SigpipeGuard&) = delete;

  private:
    bool was_pending_;
    bool was_blocked_;
};

}  // namespace tern::xenapi::detail
