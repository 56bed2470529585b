// Defines DiskTransferRun: one raw disk upload or download on an HTTP connection (see
// disk_transfer.hpp). It takes over the session after the request header: an upload reads the
// body in chunks straight into the disk (answering `100 Continue` first when the client waits
// for it), a download writes the disk in chunks behind a Content-Length header. Every step
// re-arms the session's request timer, so a long transfer lives as long as bytes flow.
// The session gets the connection back (keep-alive) or closes it when the run ends.
#pragma once

#include <boost/asio/dispatch.hpp>
#include <boost/beast/http.hpp>

#include <memory>
#include <optional>
#include <vector>

#include "transport/disk_transfer.hpp"

namespace tern::xapi {

template <class Session>
class DiskTransferRun : public std::enable_shared_from_this<DiskTransferRun<Session>> {
  public:
    static constexpr std::size_t kChunk = 1 << 20;

    DiskTransferRun(std::shared_ptr<Session> session, TransferRequest::Kind kind)
        : session_(std::move(session)), kind_(kind), chunk_(kChunk) {}

    void start(DiskTransfers& transfers) {
        auto& req = session_->parser_->get();
        TransferRequest request;
        request.kind = kind_;
        request.target = std::string(req.target());
        request.authorization = std::string(req[boost::beast::http::field::authorization]);
        request.peer = session_->peer_;
        const bool want_method = kind_ == TransferRequest::Kind::import_raw
                                     ? req.method() == boost::beast::http::verb::put
                                     : req.method() == boost::beast::http::verb::get;
        if (!want_method) {
            return session_->respond_error(boost::beast::http::status::method_not_allowed,
                                           "use PUT to import and GET to export\n");
        }
        expect_continue_ =
            boost::beast::iequals(req[boost::beast::http::field::expect], "100-continue");
        session_->disarm();
        transfers.open(std::move(request), [self = this->shared_from_this()](
                                               std::unique_ptr<DiskTransfer> transfer,
                                               std::optional<TransferFailure> failure) mutable {
            auto ex = self->session_->stream_.get_executor();
            boost::asio::dispatch(
                ex, [self, transfer = std::move(transfer), failure = std::move(failure)]() mutable {
                    if (failure)
                        return self->refuse(*failure);
                    self->transfer_ = std::move(transfer);
                    if (self->kind_ == TransferRequest::Kind::import_raw) {
                        self->begin_import();
                    } else {
                        self->begin_export();
                    }
                });
        });
    }

  private:
    void refuse(const TransferFailure& failure) {
        session_->respond_error(static_cast<boost::beast::http::status>(failure.status()),
                                failure.body());
    }

    // The transfer failed halfway: tell the disk, answer if the client still listens, close.
    void fail(std::optional<TransferFailure> failure) {
        if (transfer_) {
            try {
                transfer_->finish(false);
            } catch (const TransferFailure&) {
            }
            transfer_.reset();
        }
        if (failure)
            return refuse(*failure);
        session_->close();
    }

    void begin_import() {
        parser_.emplace(std::move(*session_->parser_));
        parser_->body_limit(boost::none);
        if (!expect_continue_)
            return read_chunk();
        auto res = std::make_shared<boost::beast::http::response<boost::beast::http::empty_body>>(
            boost::beast::http::status::continue_, session_->version_);
        session_->arm(session_->limits_.request_timeout);
        boost::beast::http::async_write(
            session_->stream_, *res,
            [self = this->shared_from_this(), res](boost::system::error_code ec, std::size_t) {
                if (ec)
                    return self->fail(std::nullopt);
                self->read_chunk();
            });
    }

    void read_chunk() {
        if (parser_->is_done())
            return end_import();
        parser_->get().body().data = chunk_.data();
        parser_->get().body().size = chunk_.size();
        session_->arm(session_->limits_.request_timeout);
        boost::beast::http::async_read(
            session_->stream_, session_->buffer_, *parser_,
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                self->session_->disarm();
                if (ec == boost::beast::http::error::need_buffer)
                    ec = {};
                if (ec)
                    return self->fail(std::nullopt);
                const std::size_t got = self->chunk_.size() - self->parser_->get().body().size;
                try {
                    self->transfer_->write(
                        self->offset_,
                        std::span<const std::byte>(
                            reinterpret_cast<const std::byte*>(self->chunk_.data()), got));
                } catch (const TransferFailure& failure) {
                    return self->fail(failure);
                }
                self->offset_ += got;
                self->read_chunk();
            });
    }

    void end_import() {
        try {
            transfer_->finish(true);
        } catch (const TransferFailure& failure) {
            transfer_.reset();
            return refuse(failure);
        }
        transfer_.reset();
        session_->keep_alive_ = parser_->get().keep_alive();
        session_->write(boost::beast::http::status::ok, "text/plain",
                        std::to_string(offset_) + " bytes imported\n");
    }

    void begin_export() {
        namespace http = boost::beast::http;
        auto& req = session_->parser_->get();
        session_->keep_alive_ = req.keep_alive();
        response_.emplace(http::status::ok, session_->version_);
        response_->set(http::field::server, "xapid");
        response_->set(http::field::content_type, "application/octet-stream");
        response_->keep_alive(session_->keep_alive_);
        response_->content_length(transfer_->size());
        response_->body().data = nullptr;
        response_->body().size = 0;
        response_->body().more = transfer_->size() > 0;
        serializer_.emplace(*response_);
        session_->arm(session_->limits_.request_timeout);
        http::async_write_header(
            session_->stream_, *serializer_,
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                if (ec == http::error::need_buffer)
                    ec = {};
                if (ec)
                    return self->fail(std::nullopt);
                self->write_chunk();
            });
    }

    void write_chunk() {
        namespace http = boost::beast::http;
        if (serializer_->is_done())
            return end_export();
        const std::uint64_t left = transfer_->size() - offset_;
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk_.size()));
        try {
            transfer_->read(offset_,
                            std::span<std::byte>(reinterpret_cast<std::byte*>(chunk_.data()), n));
        } catch (const TransferFailure&) {
            return fail(std::nullopt);  // the header is out: all we can do is cut the stream
        }
        offset_ += n;
        response_->body().data = chunk_.data();
        response_->body().size = n;
        response_->body().more = offset_ < transfer_->size();
        session_->arm(session_->limits_.request_timeout);
        http::async_write(
            session_->stream_, *serializer_,
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t) {
                self->session_->disarm();
                if (ec == http::error::need_buffer)
                    ec = {};
                if (ec)
                    return self->fail(std::nullopt);
                self->write_chunk();
            });
    }

    void end_export() {
        try {
            transfer_->finish(true);
        } catch (const TransferFailure&) {
        }
        transfer_.reset();
        session_->transfer_done();
    }

    std::shared_ptr<Session> session_;
    TransferRequest::Kind kind_;
    std::vector<char> chunk_;
    std::unique_ptr<DiskTransfer> transfer_;
    std::uint64_t offset_ = 0;
    bool expect_continue_ = false;
    std::optional<boost::beast::http::request_parser<boost::beast::http::buffer_body>> parser_;
    std::optional<boost::beast::http::response<boost::beast::http::buffer_body>> response_;
    std::optional<boost::beast::http::response_serializer<boost::beast::http::buffer_body>>
        serializer_;
};

}  // namespace tern::xapi
