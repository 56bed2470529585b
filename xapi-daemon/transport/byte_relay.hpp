// Defines ByteRelay: copies bytes both ways between two asynchronous streams until either
// side ends, as a console attached over HTTP CONNECT needs. Each direction reads one chunk,
// writes all of it to the other side, and only then reads again: a slow reader holds its
// writer back (flow control through the sockets' own buffers) and the relay never keeps more
// than one chunk per direction. Every handler runs on the streams' executor, which must be one
// strand (or a single-threaded io_context) for both.
#pragma once

#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tern::xapi {

template <class A, class B>
class ByteRelay : public std::enable_shared_from_this<ByteRelay<A, B>> {
  public:
    static constexpr std::size_t kDefaultChunk = 16 * 1024;

    // `a` and `b` must live until `on_end` has run; `keeper` is held for as long as the relay
    // runs (the owner of the streams). `a_pending` are bytes already read from `a` that go to
    // `b` first. `on_end` runs once, when either side closes or fails; it should close both
    // streams, which ends the other direction too.
    ByteRelay(A& a, B& b, std::shared_ptr<void> keeper, std::function<void()> on_end,
              std::string a_pending = {}, std::size_t chunk = kDefaultChunk)
        : a_(a),
          b_(b),
          keeper_(std::move(keeper)),
          on_end_(std::move(on_end)),
          a_to_b_(std::max(chunk, a_pending.size())),
          b_to_a_(chunk),
          a_pending_(std::move(a_pending)) {}

    void start() {
        if (!a_pending_.empty()) {
            const std::size_t n = a_pending_.size();
            std::copy(a_pending_.begin(), a_pending_.end(), a_to_b_.begin());
            a_pending_.clear();
            write_b(n);
        } else {
            read_a();
        }
        read_b();
    }

    // Bytes carried so far, each way.
    std::size_t carried_a_to_b() const { return carried_a_to_b_; }
    std::size_t carried_b_to_a() const { return carried_b_to_a_; }

  private:
    void read_a() {
        a_.async_read_some(
            boost::asio::buffer(a_to_b_),
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t n) {
                if (ec)
                    return self->end();
                self->write_b(n);
            });
    }
    void write_b(std::size_t n) {
        boost::asio::async_write(
            b_, boost::asio::buffer(a_to_b_.data(), n),
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t written) {
                if (ec)
                    return self->end();
                self->carried_a_to_b_ += written;
                self->read_a();
            });
    }
    void read_b() {
        b_.async_read_some(
            boost::asio::buffer(b_to_a_),
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t n) {
                if (ec)
                    return self->end();
                self->write_a(n);
            });
    }
    void write_a(std::size_t n) {
        boost::asio::async_write(
            a_, boost::asio::buffer(b_to_a_.data(), n),
            [self = this->shared_from_this()](boost::system::error_code ec, std::size_t written) {
                if (ec)
                    return self->end();
                self->carried_b_to_a_ += written;
                self->read_b();
            });
    }
    void end() {
        if (ended_)
            return;
        ended_ = true;
        if (on_end_)
            on_end_();
    }

    A& a_;
    B& b_;
    std::shared_ptr<void> keeper_;
    std::function<void()> on_end_;
    std::vector<char> a_to_b_;
    std::vector<char> b_to_a_;
    std::string a_pending_;
    std::size_t carried_a_to_b_ = 0;
    std::size_t carried_b_to_a_ = 0;
    bool ended_ = false;
};

}  // namespace tern::xapi
