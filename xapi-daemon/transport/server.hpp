// Defines Server: the listeners of xapid (HTTPS on TCP, HTTP on Unix sockets) and the stdio
// transport, all feeding one RequestHandler; its I/O threads; and an orderly stop.
//
// Each I/O thread runs an event loop of its own, and each connection lives on one of them,
// dealt in turn as they are accepted: a connection's reads, answers and writes never change
// thread, and the threads share no queue or lock (one loop run by several threads costs every
// answer a hand-off between them and a contended lock). A loop has one thread, so that a
// connection's handlers never run at once without a strand: what is posted to a connection
// (an answer from a worker, a parked event call woken) goes straight to its loop's queue.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "rpc/request_handler.hpp"
#include "transport/connection_registry.hpp"
#include "transport/transport_limits.hpp"

namespace tern::xapi {

class Server {
  public:
    Server(rpc::RequestHandler& handler, TransportLimits limits);
    ~Server();

    // Listens for HTTPS on "ADDR:PORT" (port 0: any); returns the port bound. Throws
    // std::runtime_error.
    unsigned short listen_https(const std::string& address, boost::asio::ssl::context tls);
    // Listens on a Unix socket at `path` (replacing a stale socket file), mode 0666: anyone
    // may connect, and only a peer of uid 0 is trusted without a password.
    void listen_unix(const std::filesystem::path& path);
    // Serves one connection on these descriptors; `run` returns when it ends.
    void serve_stdio(int in_fd, int out_fd);

    // Runs the I/O threads until stop(); returns when they have finished.
    void run(unsigned threads);
    // Stops accepting, closes every connection, waits for them, ends run(). Call it from a
    // thread that is not one of run()'s.
    void stop();

    std::size_t connections() const { return registry_.size(); }

    // A bound listener; closing it stops accepting.
    struct Listener {
        virtual ~Listener() = default;
        virtual void close() = 0;
    };

  private:
    // The loop the next accepted connection lives on.
    boost::asio::io_context& next_loop();
    void stop_loops();

    // Declared in the order they must outlive each other (members go in reverse): what the
    // connections use, then the other loops, then io_ and its listeners, so that an accept
    // still queued on io_ (its socket made on another loop) goes before that loop does.
    rpc::RequestHandler& handler_;
    TransportLimits limits_;
    ConnectionRegistry registry_;
    std::optional<boost::asio::ssl::context> tls_;
    // The other I/O threads' loops (made by run(), before the first accept completes), and
    // where the next connection goes; touched only on io_'s thread once run() has begun.
    std::mutex loops_mutex_;  // guards loops_ between run() and stop()
    std::vector<std::unique_ptr<boost::asio::io_context>> loops_;
    std::size_t next_loop_ = 0;
    boost::asio::io_context io_;  // the listeners' loop, and the first I/O thread's
    std::vector<std::unique_ptr<Listener>> listeners_;
    bool stdio_ = false;
};

}  // namespace tern::xapi
