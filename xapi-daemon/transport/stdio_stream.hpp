// Defines StdioStream: standard input and output as one duplex asynchronous stream, so that
// `ssh host xapid --stdio` carries HTTP like a socket does.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

namespace tern::xapi {

class StdioStream {
  public:
    using executor_type = boost::asio::any_io_executor;

    StdioStream(const executor_type& ex, int in_fd, int out_fd)
        : in_(ex, in_fd), out_(ex, out_fd) {}

    executor_type get_executor() { return in_.get_executor(); }

    template <class Buffers, class Handler>
    auto async_read_some(const Buffers& buffers, Handler&& handler) {
        return in_.async_read_some(buffers, std::forward<Handler>(handler));
    }
    template <class Buffers, class Handler>
    auto async_write_some(const Buffers& buffers, Handler&& handler) {
        return out_.async_write_some(buffers, std::forward<Handler>(handler));
    }

    void close(boost::system::error_code& ec) {
        in_.close(ec);
        out_.close(ec);
    }

  private:
    boost::asio::posix::stream_descriptor in_;
    boost::asio::posix::stream_descriptor out_;
};

}  // namespace tern::xapi
