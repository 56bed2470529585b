// Listeners and the I/O loop.
#include "transport/server.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>

#include <iostream>

#include "transport/http_session.hpp"
#include "transport/stdio_stream.hpp"

namespace tern::xapi {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using unix_socket = asio::local::stream_protocol;

namespace {

struct TcpListener final : Server::Listener {
    explicit TcpListener(asio::io_context& io) : acceptor(io) {}
    void close() override {
        boost::system::error_code ignored;
        acceptor.close(ignored);
    }
    tcp::acceptor acceptor;
};

struct UnixListener final : Server::Listener {
    UnixListener(asio::io_context& io, std::filesystem::path p)
        : acceptor(io), path(std::move(p)) {}
    void close() override {
        boost::system::error_code ignored;
        acceptor.close(ignored);
        std::error_code fs_ignored;
        std::filesystem::remove(path, fs_ignored);
    }
    unix_socket::acceptor acceptor;
    std::filesystem::path path;
};

std::optional<uid_t> peer_uid(int fd) {
    struct ucred cred {};
    socklen_t len = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
        return std::nullopt;
    return cred.uid;
}

}  // namespace

Server::Server(rpc::RequestHandler& handler, TransportLimits limits)
    : handler_(handler), limits_(limits) {}

Server::~Server() {
    stop_loops();
    // Whatever stop() posted may not have run: close the listeners (and remove the socket
    // files) here, where no I/O thread runs any more.
    for (auto& l : listeners_)
        l->close();
}

unsigned short Server::listen_https(const std::string& address, asio::ssl::context tls) {
    auto colon = address.rfind(':');
    if (colon == std::string::npos)
        throw std::runtime_error("--https wants ADDR:PORT, got " + address);
    std::string host = address.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    unsigned long port = 0;
    try {
        port = std::stoul(address.substr(colon + 1));
    } catch (...) {
        port = 65536;
    }
    if (port > 65535)
        throw std::runtime_error("bad port in " + address);
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
    if (ec)
        throw std::runtime_error("bad address in " + address + ": " + ec.message());
    tls_.emplace(std::move(tls));

    auto listener = std::make_unique<TcpListener>(io_);
    tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
    auto& acc = listener->acceptor;
    acc.open(endpoint.protocol(), ec);
    if (!ec)
        acc.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        acc.bind(endpoint, ec);
    if (!ec)
        acc.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot listen on " + address + ": " + ec.message());
    const unsigned short bound = acc.local_endpoint().port();

    // The pending accept's handler owns the loop; the loop itself only looks at it, so that
    // nothing is left over once the acceptor closes.
    auto accept = std::make_shared<std::function<void()>>();
    *accept = [this, &acc, weak = std::weak_ptr(accept)] {
        auto again = weak.lock();
        if (!again)
            return;
        acc.async_accept(next_loop(), [this, accept = again](boost::system::error_code ec2,
                                                             tcp::socket socket) {
            if (ec2 == asio::error::operation_aborted)
                return;
            if (!ec2) {
                rpc::Peer peer;
                peer.transport = rpc::Peer::Transport::https;
                boost::system::error_code ignored;
                auto remote = socket.remote_endpoint(ignored);
                peer.address = remote.address().to_string() + ":" + std::to_string(remote.port());
                std::make_shared<HttpSession<asio::ssl::stream<tcp::socket>>>(
                    asio::ssl::stream<tcp::socket>(std::move(socket), *tls_), std::move(peer),
                    handler_, limits_, registry_)
                    ->start();
            }
            (*accept)();
        });
    };
    (*accept)();
    listeners_.push_back(std::move(listener));
    return bound;
}

void Server::listen_unix(const std::filesystem::path& path) {
    std::error_code fs_ec;
    if (std::filesystem::is_socket(path, fs_ec))
        std::filesystem::remove(path, fs_ec);
    std::filesystem::create_directories(path.parent_path(), fs_ec);
    auto listener = std::make_unique<UnixListener>(io_, path);
    auto& acc = listener->acceptor;
    boost::system::error_code ec;
    unix_socket::endpoint endpoint(path.string());
    acc.open(endpoint.protocol(), ec);
    if (!ec)
        acc.bind(endpoint, ec);
    if (!ec)
        acc.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot listen on " + path.string() + ": " + ec.message());
    chmod(path.c_str(), 0666);

    auto accept = std::make_shared<std::function<void()>>();
    *accept = [this, &acc, weak = std::weak_ptr(accept), path] {
        auto again = weak.lock();
        if (!again)
            return;
        acc.async_accept(next_loop(), [this, accept = again, path](boost::system::error_code ec2,
                                                                   unix_socket::socket socket) {
            if (ec2 == asio::error::operation_aborted)
                return;
            if (!ec2) {
                rpc::Peer peer;
                peer.transport = rpc::Peer::Transport::unix_socket;
                peer.uid = peer_uid(socket.native_handle());
                peer.address = path.string();
                std::make_shared<HttpSession<unix_socket::socket>>(
                    std::move(socket), std::move(peer), handler_, limits_, registry_)
                    ->start();
            }
            (*accept)();
        });
    };
    (*accept)();
    listeners_.push_back(std::move(listener));
}

void Server::serve_stdio(int in_fd, int out_fd) {
    rpc::Peer peer;
    peer.transport = rpc::Peer::Transport::stdio;
    peer.uid = getuid();
    peer.address = "stdio";
    stdio_ = true;
    TransportLimits limits = limits_;
    limits.idle_timeout = std::chrono::hours(24 * 365);  // ssh keeps the channel; EOF ends it
    limits_ = limits;
    std::make_shared<HttpSession<StdioStream>>(StdioStream(io_.get_executor(), in_fd, out_fd),
                                               std::move(peer), handler_, limits_, registry_)
        ->start();
}

asio::io_context& Server::next_loop() {
    const std::size_t n = loops_.size() + 1;
    const std::size_t i = next_loop_++ % n;
    return i == 0 ? io_ : *loops_[i - 1];
}

void Server::stop_loops() {
    io_.stop();
    std::lock_guard lock(loops_mutex_);
    for (auto& loop : loops_)
        loop->stop();
}

void Server::run(unsigned threads) {
    // The loops run until stop(); in stdio mode, until its one connection has ended.
    {
        std::lock_guard lock(loops_mutex_);
        for (unsigned i = 1; i < threads; ++i)
            loops_.push_back(std::make_unique<asio::io_context>(1));
    }
    auto guard = asio::make_work_guard(io_);
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> guards;
    std::vector<std::thread> pool;
    if (stdio_) {
        pool.emplace_back([this] {
            registry_.wait_empty();
            stop_loops();
        });
    }
    for (auto& loop : loops_) {
        guards.push_back(asio::make_work_guard(*loop));
        pool.emplace_back([&loop] { loop->run(); });
    }
    io_.run();
    stop_loops();  // a stop() that came before the loops began left them running
    for (auto& t : pool)
        t.join();
}

void Server::stop() {
    asio::post(io_, [this] {
        for (auto& l : listeners_)
            l->close();
    });
    registry_.close_all_and_wait(std::chrono::seconds(5));
    stop_loops();
}

}  // namespace tern::xapi
