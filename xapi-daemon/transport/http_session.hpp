// Defines HttpSession: one HTTP/1.1 connection, the same code over TLS, a Unix socket or
// stdio. A fresh parser per request with a body limit (413 beyond it), a timer per phase
// (handshake, request, keep-alive idle) that closes a slow or silent client, keep-alive, and
// POSTed bodies handed to the RequestHandler; raw disk transfers (disk_transfer_run.hpp) and
// consoles over CONNECT (console_run.hpp) take the connection over. Everything a session does runs
// on its I/O thread's loop (server.hpp: one thread a loop); the handler's completion is posted
// back onto it.
#pragma once

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "rpc/request_handler.hpp"
#include "transport/connection_registry.hpp"
#include "transport/console_run.hpp"
#include "transport/disk_transfer_run.hpp"
#include "transport/pieces_body.hpp"
#include "transport/transport_limits.hpp"

namespace tern::xapi {

namespace http = boost::beast::http;

template <class Stream>
struct StreamTraits {
    static constexpr bool is_tls = false;
    static void close(Stream& s) {
        boost::system::error_code ignored;
        s.close(ignored);
    }
};

template <class Next>
struct StreamTraits<boost::asio::ssl::stream<Next>> {
    static constexpr bool is_tls = true;
    static void close(boost::asio::ssl::stream<Next>& s) {
        boost::system::error_code ignored;
        s.lowest_layer().close(ignored);
    }
};

// The largest over-limit body a session reads and drops to answer 413 politely; beyond it
// the connection is answered and closed at once.
inline constexpr std::uint64_t kMaxDrain = 1ULL << 30;

template <class Stream>
class HttpSession : public std::enable_shared_from_this<HttpSession<Stream>> {
  public:
    HttpSession(Stream stream, rpc::Peer peer, rpc::RequestHandler& handler,
                const TransportLimits& limits, ConnectionRegistry& registry)
        : stream_(std::move(stream)),
          timer_(stream_.get_executor()),
          peer_(std::move(peer)),
          handler_(handler),
          limits_(limits),
          registry_(registry) {
        peer_.run_on_connection = [ex = stream_.get_executor()](std::function<void()> job) {
            boost::asio::post(ex, std::move(job));
        };
        peer_.loop = &boost::asio::query(stream_.get_executor(), boost::asio::execution::context);
    }

    ~HttpSession() {
        if (id_ != 0)
            registry_.remove(id_);
    }

    void start() {
        std::weak_ptr<HttpSession> weak = this->shared_from_this();
        id_ = registry_.add(
            [weak, ex = stream_.get_executor()] {
                boost::asio::post(ex, [weak] {
                    if (auto self = weak.lock())
                        self->close();
                });
            },
            limits_.max_connections);
        if (id_ == 0) {  // over the connection limit
            close();
            return;
        }
        boost::asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
            if constexpr (StreamTraits<Stream>::is_tls) {
                self->arm(self->limits_.handshake_timeout);
                self->stream_.async_handshake(boost::asio::ssl::stream_base::server,
                                              [self](boost::system::error_code ec) {
                                                  self->disarm();
                                                  if (ec)
                                                      return self->close();
                                                  self->read(true);
                                              });
            } else {
                self->read(true);
            }
        });
    }

  private:
    template <class>
    friend class DiskTransferRun;
    template <class>
    friend class ConsoleRun;

    // A disk transfer ended cleanly: the connection serves its next request, or closes.
    void transfer_done() {
        disarm();
        if (!keep_alive_)
            return close();
        read(false);
    }

    // The phase's deadline (handshake, request or keep-alive idle). It is kept in deadline_ and
    // watched by one timer wait at a time that never sleeps past the shortest of the timeouts
    // (so past no deadline set meanwhile) and looks again when it ends: moving the deadline, as
    // every request does three times, costs no timer operation and no cancelled wait.
    void arm(std::chrono::milliseconds timeout) {
        deadline_ = std::chrono::steady_clock::now() + timeout;
        if (!watching_)
            watch();
    }
    // The operation finished in time: no deadline until the next arm().
    void disarm() { deadline_ = std::chrono::steady_clock::time_point::max(); }

    void watch() {
        // (At least 10 ms: a timeout of 0 is met that late, not watched in a busy loop.)
        const auto shortest = std::max(
            std::chrono::milliseconds(10),
            std::min({limits_.handshake_timeout, limits_.request_timeout, limits_.idle_timeout}));
        watching_ = true;
        timer_.expires_at(std::min(deadline_, std::chrono::steady_clock::now() + shortest));
        timer_.async_wait([weak = std::weak_ptr<HttpSession>(this->shared_from_this())](
                              boost::system::error_code ec) {
            auto self = weak.lock();
            if (!self)
                return;
            self->watching_ = false;
            if (ec || self->deadline_ == std::chrono::steady_clock::time_point::max())
                return;  // closed, or no deadline now (the next arm() watches again)
            if (std::chrono::steady_clock::now() >= self->deadline_)
                return self->close();
            self->watch();
        });
    }

    void read(bool first) {
        parser_.emplace();
        // The length a client announces is checked once its header is in (see below), so
        // that an over-limit body can be drained and answered 413.
        parser_->body_limit(std::numeric_limits<std::uint64_t>::max());
        parser_->header_limit(static_cast<std::uint32_t>(limits_.header_limit));
        arm(first ? limits_.request_timeout : limits_.idle_timeout);
        http::async_read_header(
            stream_, buffer_, *parser_,
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                if (ec)
                    return self->fail_read(ec);
                // The header is in: the rest of the request must come within its own limit.
                self->arm(self->limits_.request_timeout);
                // Disk uploads and downloads stream; they are not held to the body limit.
                auto* transfers = self->handler_.disk_transfers();
                if (auto kind = DiskTransfers::kind_of(std::string(self->parser_->get().target()));
                    kind && transfers != nullptr) {
                    return std::make_shared<DiskTransferRun<HttpSession>>(self, *kind)
                        ->start(*transfers);
                }
                // A console: CONNECT /console?ref=... turns the connection into its stream.
                auto* consoles = self->handler_.console_connector();
                const auto& head = self->parser_->get();
                const bool to_console = ConsoleConnector::is_console(
                    std::string_view(head.target().data(), head.target().size()));
                if (consoles != nullptr && (to_console || head.method() == http::verb::connect)) {
                    if (!to_console) {
                        return self->respond_error(http::status::not_found,
                                                   "CONNECT serves only /console?ref=...\n");
                    }
                    return std::make_shared<ConsoleRun<HttpSession>>(self)->start(*consoles);
                }
                if (self->parser_->content_length() &&
                    *self->parser_->content_length() > self->limits_.body_limit) {
                    // Read and drop the body first, so that a client still sending it sees
                    // the 413 rather than a reset connection.
                    const std::uint64_t length = *self->parser_->content_length();
                    if (length > kMaxDrain) {
                        return self->respond_error(http::status::payload_too_large,
                                                   "request body too large\n");
                    }
                    const std::uint64_t buffered = self->buffer_.size();
                    self->buffer_.consume(self->buffer_.size());
                    return self->drain(length > buffered ? length - buffered : 0);
                }
                self->parser_->body_limit(self->limits_.body_limit);
                http::async_read(self->stream_, self->buffer_, *self->parser_,
                                 [self](boost::system::error_code ec2, std::size_t) {
                                     self->disarm();
                                     if (ec2)
                                         return self->fail_read(ec2);
                                     self->handle_request();
                                 });
            });
    }

    // Reads and discards the rest of a body that is over the limit, then answers 413.
    void drain(std::uint64_t remaining) {
        if (remaining == 0) {
            return respond_error(http::status::payload_too_large, "request body too large\n");
        }
        const std::size_t chunk =
            static_cast<std::size_t>(std::min<std::uint64_t>(remaining, 65536));
        stream_.async_read_some(buffer_.prepare(chunk),
                                [self = this->shared_from_this(), remaining](
                                    boost::system::error_code ec, std::size_t got) {
                                    if (ec)
                                        return self->close();
                                    self->buffer_.commit(got);
                                    self->buffer_.consume(got);
                                    self->drain(remaining - got);
                                });
    }

    void fail_read(boost::system::error_code ec) {
        disarm();
        if (ec == http::error::body_limit) {
            return respond_error(http::status::payload_too_large, "request body too large\n");
        }
        if (ec == http::error::header_limit) {
            return respond_error(http::status::request_header_fields_too_large,
                                 "request header too large\n");
        }
        const auto& http_errors = http::make_error_code(http::error::end_of_stream).category();
        if (ec.category() == http_errors && ec != http::error::end_of_stream &&
            ec != http::error::partial_message) {
            return respond_error(http::status::bad_request, "malformed HTTP request\n");
        }
        close();
    }

    void handle_request() {
        auto& req = parser_->get();
        keep_alive_ = req.keep_alive();
        version_ = req.version();
        if (req.method() == http::verb::post) {
            handler_.handle_rpc(
                std::move(req.body()), peer_,
                [self = this->shared_from_this()](rpc::RpcResponse r) {
                    boost::asio::dispatch(
                        self->stream_.get_executor(), [self, r = std::move(r)]() mutable {
                            if (!r.pieces.empty()) {
                                return self->write(static_cast<http::status>(r.http_status),
                                                   std::move(r.content_type), std::move(r.pieces));
                            }
                            self->write(static_cast<http::status>(r.http_status),
                                        std::move(r.content_type), std::move(r.body));
                        });
                });
            return;
        }
        if (req.method() == http::verb::get || req.method() == http::verb::head) {
            return write(http::status::ok, "text/plain",
                         "xapid: the Tern XenAPI server. POST XML-RPC calls to any path.\n");
        }
        write(http::status::method_not_allowed, "text/plain", "use POST for XML-RPC\n");
    }

    void respond_error(http::status status, std::string body) {
        keep_alive_ = false;
        write(status, "text/plain", std::move(body));
    }

    void write(http::status status, std::string content_type, std::string body) {
        send(response<http::string_body>(status, content_type, std::move(body)));
    }
    void write(http::status status, std::string content_type, std::vector<rpc::Piece> body) {
        send(response<PiecesBody>(status, content_type, std::move(body)));
    }

    template <class Body>
    std::shared_ptr<http::response<Body>> response(http::status status,
                                                   const std::string& content_type,
                                                   typename Body::value_type body) {
        auto res = std::make_shared<http::response<Body>>(status, version_);
        res->set(http::field::server, "xapid");
        res->set(http::field::content_type, content_type);
        res->keep_alive(keep_alive_);
        res->body() = std::move(body);
        res->prepare_payload();
        return res;
    }

    template <class Body>
    void send(std::shared_ptr<http::response<Body>> res) {
        arm(limits_.request_timeout);
        http::async_write(
            stream_, *res,
            [self = this->shared_from_this(), res](boost::system::error_code ec, std::size_t) {
                self->disarm();
                if (ec || !self->keep_alive_)
                    return self->close();
                self->read(false);
            });
    }

    void close() {
        disarm();
        timer_.cancel();
        StreamTraits<Stream>::close(stream_);
    }

    Stream stream_;
    boost::asio::steady_timer timer_;
    std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
    bool watching_ = false;  // a wait of timer_ is pending
    boost::beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    rpc::Peer peer_;
    rpc::RequestHandler& handler_;
    const TransportLimits& limits_;
    ConnectionRegistry& registry_;
    ConnectionRegistry::Id id_ = 0;
    bool keep_alive_ = true;
    unsigned version_ = 11;
};

}  // namespace tern::xapi
