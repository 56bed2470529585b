// ByteRelay: bytes both ways, in order, through partial writes; either side's close ends it;
// a reader that does not read holds the writer back instead of filling xapid's memory.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <string>
#include <thread>

#include "transport/byte_relay.hpp"

namespace tern::xapi {
namespace {

namespace asio = boost::asio;
using Socket = asio::local::stream_protocol::socket;
using Relay = ByteRelay<Socket, Socket>;

// Two socket pairs with a relay between their near ends, on an io_context run by a thread of
// its own; the test holds the far ends as blocking descriptors.
class RelayWorld {
  public:
    explicit RelayWorld(std::string a_pending = {}, std::size_t chunk = Relay::kDefaultChunk,
                        int small_buffers = 0)
        : a_(io_), b_(io_) {
        int pa[2];
        int pb[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pa), 0);
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pb), 0);
        if (small_buffers > 0) {
            for (int fd : {pa[0], pa[1], pb[0], pb[1]}) {
                ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &small_buffers, sizeof small_buffers);
                ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small_buffers, sizeof small_buffers);
            }
        }
        a_.assign(asio::local::stream_protocol(), pa[0]);
        b_.assign(asio::local::stream_protocol(), pb[0]);
        a_far_ = pa[1];
        b_far_ = pb[1];
        relay_ = std::make_shared<Relay>(
            a_, b_, nullptr,
            [this] {
                ended_ = true;
                boost::system::error_code ignored;
                a_.close(ignored);
                b_.close(ignored);
            },
            std::move(a_pending), chunk);
        asio::post(io_, [r = relay_] { r->start(); });
        thread_ = std::thread([this] { io_.run(); });
    }
    ~RelayWorld() {
        close_a_far();
        close_b_far();
        thread_.join();  // the relay ends once both far ends are gone
    }

    int a_far() const { return a_far_; }
    int b_far() const { return b_far_; }
    void close_a_far() {
        if (a_far_ >= 0)
            ::close(a_far_);
        a_far_ = -1;
    }
    void close_b_far() {
        if (b_far_ >= 0)
            ::close(b_far_);
        b_far_ = -1;
    }
    bool ended() const { return ended_; }

  private:
    asio::io_context io_;
    Socket a_;
    Socket b_;
    int a_far_ = -1;
    int b_far_ = -1;
    std::shared_ptr<Relay> relay_;
    std::atomic<bool> ended_{false};
    std::thread thread_;
};

void write_all(int fd, const std::string& data) {
    std::size_t done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        ASSERT_GT(n, 0);
        done += static_cast<std::size_t>(n);
    }
}

std::string read_exactly(int fd, std::size_t size) {
    std::string out;
    char buffer[65536];
    while (out.size() < size) {
        const ssize_t n = ::read(fd, buffer, std::min(sizeof buffer, size - out.size()));
        if (n <= 0)
            break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

// Reads until end of file; returns what came.
std::string read_to_end(int fd) {
    std::string out;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0)
        out.append(buffer, static_cast<std::size_t>(n));
    return out;
}

std::string pattern(std::size_t size) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        s[i] = static_cast<char>('a' + (i * 7 + i / 251) % 26);
    return s;
}

TEST(ByteRelay, CarriesBytesBothWays) {
    RelayWorld w;
    write_all(w.a_far(), "typed\r");
    EXPECT_EQ(read_exactly(w.b_far(), 6), "typed\r");
    write_all(w.b_far(), "output\r\n");
    EXPECT_EQ(read_exactly(w.a_far(), 8), "output\r\n");
}

TEST(ByteRelay, PendingBytesGoFirst) {
    RelayWorld w("early ");
    write_all(w.a_far(), "late");
    EXPECT_EQ(read_exactly(w.b_far(), 10), "early late");
}

TEST(ByteRelay, PartialWritesKeepEveryByteInOrder) {
    // Small socket buffers and a small chunk: every write of the relay is cut short.
    RelayWorld w({}, 1000, 4096);
    const std::string there = pattern(3 << 20);
    const std::string back = pattern((2 << 20) + 17);
    auto sent_there = std::async(std::launch::async, [&] { write_all(w.a_far(), there); });
    auto sent_back = std::async(std::launch::async, [&] { write_all(w.b_far(), back); });
    auto got_back =
        std::async(std::launch::async, [&] { return read_exactly(w.a_far(), back.size()); });
    EXPECT_EQ(read_exactly(w.b_far(), there.size()), there);
    EXPECT_EQ(got_back.get(), back);
    sent_there.get();
    sent_back.get();
}

TEST(ByteRelay, ClosingTheClientSideEndsItAndClosesTheOther) {
    RelayWorld w;
    write_all(w.a_far(), "bye");
    EXPECT_EQ(read_exactly(w.b_far(), 3), "bye");
    w.close_a_far();
    EXPECT_EQ(read_to_end(w.b_far()), "");  // end of file: the relay closed its side
    EXPECT_TRUE(w.ended());
}

TEST(ByteRelay, ClosingTheConsoleSideEndsItAndClosesTheClient) {
    RelayWorld w;
    write_all(w.b_far(), "last words");
    w.close_b_far();
    // What was written before the close still arrives, then end of file.
    EXPECT_EQ(read_to_end(w.a_far()), "last words");
    EXPECT_TRUE(w.ended());
}

TEST(ByteRelay, ASlowReaderHoldsTheWriterBack) {
    RelayWorld w({}, Relay::kDefaultChunk, 65536);
    // Nobody reads b's far end: the writer to a soon finds no room, because the relay stops
    // reading a while its write to b waits.
    ::fcntl(w.a_far(), F_SETFL, ::fcntl(w.a_far(), F_GETFL) | O_NONBLOCK);
    const std::string block = pattern(65536);
    std::string accepted;
    int idle_rounds = 0;
    while (idle_rounds < 50) {
        const ssize_t n = ::write(w.a_far(), block.data(), block.size());
        if (n > 0) {
            accepted.append(block.data(), static_cast<std::size_t>(n));
            idle_rounds = 0;
        } else {
            ASSERT_EQ(errno, EAGAIN);
            ++idle_rounds;  // give the relay time to take more, if it would
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        ASSERT_LT(accepted.size(), std::size_t{16} << 20) << "the relay buffers without bound";
    }
    EXPECT_GT(accepted.size(), 0u);
    // Everything accepted arrives, in order, once the reader reads.
    EXPECT_EQ(read_exactly(w.b_far(), accepted.size()), accepted);
}

}  // namespace
}  // namespace tern::xapi
