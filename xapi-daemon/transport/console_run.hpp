// Defines ConsoleRun: one console attached over HTTP CONNECT (see console_connect.hpp). It
// takes over the session after the request header: asks the ConsoleConnector, answers the
// refusal or `HTTP/1.1 200 OK`, then relays bytes both ways between the connection and the
// console (transport/byte_relay.hpp) on the session's strand, with no timeout (a console may
// idle for days) until either side closes. The connection then closes: it never serves
// another request.
#pragma once

#include <boost/asio/dispatch.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <optional>
#include <string>

#include "transport/byte_relay.hpp"
#include "transport/console_connect.hpp"

namespace tern::xapi {

template <class Session>
class ConsoleRun : public std::enable_shared_from_this<ConsoleRun<Session>> {
  public:
    using Stream = decltype(std::declval<Session&>().stream_);
    using Relay = ByteRelay<Stream, boost::asio::posix::stream_descriptor>;

    explicit ConsoleRun(std::shared_ptr<Session> session) : session_(std::move(session)) {}

    void start(ConsoleConnector& connector) {
        namespace http = boost::beast::http;
        auto& req = session_->parser_->get();
        if (req.method() != http::verb::connect) {
            return session_->respond_error(http::status::method_not_allowed,
                                           "use CONNECT to attach to a console\n");
        }
        ConsoleRequest request;
        request.target = std::string(req.target());
        request.cookie = std::string(req[http::field::cookie]);
        request.authorization = std::string(req[http::field::authorization]);
        request.peer = session_->peer_;
        session_->disarm();
        connector.open(std::move(request), [self = this->shared_from_this()](
                                               int fd, std::optional<TransferFailure> failure) {
            auto ex = self->session_->stream_.get_executor();
            std::optional<boost::asio::posix::stream_descriptor> console;
            if (!failure)
                console.emplace(ex, fd);  // owned from here: closed if never relayed
            boost::asio::dispatch(
                ex, [self, console = std::move(console), failure = std::move(failure)]() mutable {
                    if (failure) {
                        return self->session_->respond_error(
                            static_cast<boost::beast::http::status>(failure->status()),
                            failure->body());
                    }
                    self->console_ = std::move(console);
                    self->answer();
                });
        });
    }

  private:
    void answer() {
        answer_ = "HTTP/1.1 200 OK\r\nServer: xapid\r\n\r\n";
        session_->arm(session_->limits_.request_timeout);
        boost::asio::async_write(
            session_->stream_, boost::asio::buffer(answer_),
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                self->session_->disarm();
                if (ec)
                    return self->end();
                self->relay();
            });
    }

    void relay() {
        // Whatever the client sent after its header is console input already.
        auto& buffer = session_->buffer_;
        std::string early(static_cast<const char*>(buffer.data().data()), buffer.size());
        buffer.consume(buffer.size());
        std::weak_ptr<ConsoleRun> weak = this->shared_from_this();
        relay_ = std::make_shared<Relay>(
            session_->stream_, *console_, this->shared_from_this(),
            [weak] {
                if (auto self = weak.lock())
                    self->end();
            },
            std::move(early));
        relay_->start();
    }

    void end() {
        if (console_) {
            boost::system::error_code ignored;
            console_->close(ignored);
        }
        session_->close();
        relay_.reset();  // the relay holds this run: let both go once their handlers finish
    }

    std::shared_ptr<Session> session_;
    std::optional<boost::asio::posix::stream_descriptor> console_;
    std::shared_ptr<Relay> relay_;
    std::string answer_;
};

}  // namespace tern::xapi
