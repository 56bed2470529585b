// DomainConsole over a page of plain memory and a pipe standing in for the event channel:
// the guest's output reaches the log file and the pty, typed input reaches the in ring, the
// guest is notified after each copy, and a guest writing impossible indices is logged and
// reset, never followed.
#include "dom0/consoled/domain_console.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace tern::dom0::consoled {
namespace {

class MemoryPage : public ConsolePage {
  public:
    explicit MemoryPage(ConsoleInterface& ring) : ring_(ring) {}
    ConsoleInterface& ring() override { return ring_; }

  private:
    ConsoleInterface& ring_;
};

// The guest's signals arrive as bytes on a pipe; notifications are counted.
class PipeChannel : public xenstored::EventChannel {
  public:
    PipeChannel(int read_fd, int& notified) : fd_(read_fd), notified_(notified) {}
    ~PipeChannel() override { ::close(fd_); }
    void notify() override { ++notified_; }
    int fd() const override { return fd_; }
    void acknowledge() override {
        char byte;
        [[maybe_unused]] const ssize_t n = ::read(fd_, &byte, 1);
    }

  private:
    int fd_;
    int& notified_;
};

class DomainConsoleTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char dir[] = "/tmp/consoled_test_XXXXXX";
        ASSERT_NE(::mkdtemp(dir), nullptr);
        dir_ = dir;
        ASSERT_EQ(::pipe(kick_), 0);
        console_ = std::make_unique<DomainConsole>(
            7, std::make_unique<MemoryPage>(ring_),
            std::make_unique<PipeChannel>(kick_[0], notified_), log_path(),
            [this](const std::string& line) { logged_.push_back(line); });
    }
    void TearDown() override {
        console_.reset();
        ::close(kick_[1]);
        std::filesystem::remove_all(dir_);
    }
    std::string log_path() const { return dir_ + "/guest-7.log"; }
    std::string log_text() const {
        std::ifstream in(log_path());
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
    void guest_writes(const std::string& text) {
        for (char c : text)
            ring_.out[ring_.out_prod++ & (kOutRingSize - 1)] = c;
        ASSERT_EQ(::write(kick_[1], "k", 1), 1);
    }
    std::string guest_reads() {
        std::string text;
        while (ring_.in_cons != ring_.in_prod)
            text.push_back(ring_.in[ring_.in_cons++ & (kInRingSize - 1)]);
        return text;
    }
    int open_client() const { return ::open(console_->pty_path().c_str(), O_RDWR | O_NOCTTY); }

    ConsoleInterface ring_{};
    int kick_[2] = {-1, -1};
    int notified_ = 0;
    std::vector<std::string> logged_;
    std::string dir_;
    std::unique_ptr<DomainConsole> console_;
};

TEST_F(DomainConsoleTest, GuestOutputGoesToTheLogAndThePtyAndTheGuestIsNotified) {
    const int client = open_client();
    ASSERT_GE(client, 0);
    guest_writes("[    0.000000] Booting Linux on physical CPU 0x0\n");
    console_->on_event();
    EXPECT_EQ(log_text(), "[    0.000000] Booting Linux on physical CPU 0x0\n");
    EXPECT_EQ(ring_.out_cons, ring_.out_prod);
    EXPECT_EQ(notified_, 1);
    char buffer[128];
    const ssize_t n = ::read(client, buffer, sizeof buffer);
    ASSERT_GT(n, 0);
    EXPECT_EQ(std::string(buffer, static_cast<std::size_t>(n)),
              "[    0.000000] Booting Linux on physical CPU 0x0\n");
    // Its signal was consumed: the channel is quiet again.
    pollfd p{console_->event_fd(), POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 0), 0);
    // Nothing new: no copy, no notification.
    console_->service();
    EXPECT_EQ(notified_, 1);
    ::close(client);
}

TEST_F(DomainConsoleTest, TheLogAppendsAcrossManyWritesAndWraps) {
    std::string all;
    for (int i = 0; i < 500; ++i) {  // about 7 rings' worth
        const std::string line = "line " + std::to_string(i) + " of output\n";
        guest_writes(line);
        all += line;
        console_->on_event();
    }
    EXPECT_EQ(log_text(), all);
    EXPECT_EQ(notified_, 500);
}

TEST_F(DomainConsoleTest, TypedInputReachesTheInRing) {
    const int client = open_client();
    ASSERT_GE(client, 0);
    ASSERT_EQ(::write(client, "uname -a\n", 9), 9);
    pollfd p{console_->pty_fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, -1), 1);
    EXPECT_TRUE(console_->wants_pty_input());
    console_->on_pty_readable();
    EXPECT_EQ(guest_reads(), "uname -a\n");
    EXPECT_EQ(notified_, 1);
    ::close(client);
}

TEST_F(DomainConsoleTest, InputWaitsWhileTheGuestsInRingIsFull) {
    ring_.in_prod = static_cast<std::uint32_t>(kInRingSize);  // full: the guest read nothing
    const int client = open_client();
    ASSERT_GE(client, 0);
    ASSERT_EQ(::write(client, "ls\n", 3), 3);
    pollfd p{console_->pty_fd(), POLLIN, 0};
    ASSERT_EQ(::poll(&p, 1, -1), 1);
    console_->on_pty_readable();
    EXPECT_FALSE(console_->wants_pty_input());  // held until the guest makes room
    EXPECT_EQ(notified_, 0);
    ring_.in_cons = ring_.in_prod;  // the guest read it all and signals
    ASSERT_EQ(::write(kick_[1], "k", 1), 1);
    console_->on_event();
    EXPECT_EQ(guest_reads(), "ls\n");
    EXPECT_TRUE(console_->wants_pty_input());
    EXPECT_EQ(notified_, 1);
    ::close(client);
}

TEST_F(DomainConsoleTest, ImpossibleIndicesAreLoggedAndResetNotFollowed) {
    ring_.out_cons = 0;
    ring_.out_prod = 0x80000000u;  // "two gigabytes waiting"
    ASSERT_EQ(::write(kick_[1], "k", 1), 1);
    console_->on_event();
    ASSERT_EQ(logged_.size(), 1u);
    EXPECT_NE(logged_[0].find("impossible out ring indices (cons 0, prod 2147483648)"),
              std::string::npos)
        << logged_[0];
    EXPECT_EQ(ring_.out_cons, ring_.out_prod);
    EXPECT_EQ(log_text(), "");
    EXPECT_EQ(notified_, 1);
    // The guest goes on writing sensibly: it is served again.
    guest_writes("recovered\n");
    console_->on_event();
    EXPECT_EQ(log_text(), "recovered\n");
    EXPECT_EQ(logged_.size(), 1u);
}

TEST(DomainConsole, AnUnwritableLogIsRefused) {
    ConsoleInterface ring{};
    int notified = 0;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    EXPECT_THROW(DomainConsole(1, std::make_unique<MemoryPage>(ring),
                               std::make_unique<PipeChannel>(fds[0], notified),
                               "/nonexistent-dir/guest-1.log", [](const std::string&) {}),
                 std::system_error);
    ::close(fds[1]);
}

}  // namespace
}  // namespace tern::dom0::consoled
