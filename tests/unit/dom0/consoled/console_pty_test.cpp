// ConsolePty: what the guest writes reaches a client of the slave unchanged, what the client
// types comes back, and a pty nobody reads holds at most its bound.
#include "dom0/consoled/console_pty.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>

namespace tern::dom0::consoled {
namespace {

// Reads from `fd` until `want` bytes came (poll without a limit: the bytes are there or the
// test is broken).
std::string read_exactly(int fd, std::size_t want) {
    std::string got;
    while (got.size() < want) {
        pollfd p{fd, POLLIN, 0};
        ::poll(&p, 1, -1);
        char buffer[256];
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        got.append(buffer, static_cast<std::size_t>(n));
    }
    return got;
}

TEST(ConsolePty, GuestOutputReachesTheClientUnchanged) {
    ConsolePty pty;
    EXPECT_EQ(pty.path().rfind("/dev/pts/", 0), 0u) << pty.path();
    const int client = ::open(pty.path().c_str(), O_RDWR | O_NOCTTY);
    ASSERT_GE(client, 0);
    const std::string text = "line one\nline\ttwo\r\n\x1b[1m";  // raw: no \n -> \r\n mapping
    pty.write(text);
    EXPECT_FALSE(pty.has_pending());
    EXPECT_EQ(read_exactly(client, text.size()), text);
    ::close(client);
}

TEST(ConsolePty, WhatTheClientTypesIsReadWithoutEcho) {
    ConsolePty pty;
    const int client = ::open(pty.path().c_str(), O_RDWR | O_NOCTTY);
    ASSERT_GE(client, 0);
    ASSERT_EQ(::write(client, "echo hi\n", 8), 8);
    pollfd p{pty.master_fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, -1), 1);
    EXPECT_EQ(pty.read_input(100), "echo hi\n");  // raw: no line editing, no \n -> \r
    EXPECT_EQ(pty.read_input(100), "");           // non-blocking: nothing more
    // No echo back to the client.
    pollfd c{client, POLLIN, 0};
    EXPECT_EQ(::poll(&c, 1, 0), 0);
    ::close(client);
}

TEST(ConsolePty, NobodyReadingKeepsOnlyTheNewestBytesUpToTheBound) {
    ConsolePty pty(100);
    const std::string chunk(1000, 'o');
    for (int i = 0; i < 1000; ++i)  // 1 MB: more than any pty buffer holds
        pty.write(chunk);
    pty.write("the end");
    EXPECT_TRUE(pty.has_pending());
    EXPECT_GT(pty.dropped(), 0u);
    // A client now reads the backlog; the last bytes it gets are the newest.
    const int client = ::open(pty.path().c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK);
    ASSERT_GE(client, 0);
    std::string got;
    for (;;) {
        char buffer[4096];
        const ssize_t n = ::read(client, buffer, sizeof buffer);
        if (n > 0) {
            got.append(buffer, static_cast<std::size_t>(n));
            continue;
        }
        if (!pty.has_pending())
            break;
        pty.flush();
    }
    ASSERT_GE(got.size(), 7u);
    EXPECT_EQ(got.substr(got.size() - 7), "the end");
    ::close(client);
}

}  // namespace
}  // namespace tern::dom0::consoled
