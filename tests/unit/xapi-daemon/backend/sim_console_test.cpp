// The sim backend's consoles: a banner and a prompt on attach, typed input echoed and answered,
// several clients at once, the console closing with its domain; the interface's default.
#include "backend/sim/sim_backend.hpp"

#include <gtest/gtest.h>
#include <poll.h>
#include <unistd.h>

#include <string>

namespace tern::xapi {
namespace {

DomainConfig guest(std::string name) {
    DomainConfig c;
    c.uuid = "uuid-" + name;
    c.name = std::move(name);
    c.memory_max = 64 << 20;
    c.memory_target = 64 << 20;
    return c;
}

// Reads from `fd` until `text` has come (or the stream ends); returns all that was read.
std::string read_until(int fd, const std::string& text) {
    std::string out;
    char buffer[1024];
    while (out.find(text) == std::string::npos) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

void type(int fd, const std::string& text) {
    ASSERT_EQ(::write(fd, text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

struct RunningGuest {
    SimBackend sim{SimConfig{}};
    DomainId id;
    explicit RunningGuest(const std::string& name) {
        auto built = sim.build(guest(name), {});
        EXPECT_TRUE(built.ok());
        id = built.value();
        EXPECT_TRUE(sim.unpause(id).ok());
    }
};

TEST(SimConsole, AttachShowsABannerAndAPromptAndEchoesLines) {
    RunningGuest g("web");
    auto stream = g.sim.open_console(g.id);
    ASSERT_TRUE(stream.ok());
    const int fd = stream.value().fd();
    const std::string banner = read_until(fd, "web# ");
    EXPECT_NE(banner.find("Tern simulated guest web (domain " + std::to_string(g.id.value)),
              std::string::npos);
    type(fd, "hello\r");
    const std::string answer = read_until(fd, "web# ");
    EXPECT_EQ(answer, "hello\r\necho: hello\r\nweb# ");
}

TEST(SimConsole, LineFeedsBackspacesAndInputInPieces) {
    RunningGuest g("db");
    auto stream = g.sim.open_console(g.id);
    ASSERT_TRUE(stream.ok());
    const int fd = stream.value().fd();
    read_until(fd, "db# ");
    type(fd, "ab");
    EXPECT_EQ(read_until(fd, "ab"), "ab");
    type(fd, "x\x7f");
    EXPECT_EQ(read_until(fd, "\b \b"), "x\b \b");
    type(fd, "c\r\n");  // CR LF is one Enter
    EXPECT_EQ(read_until(fd, "db# "), "c\r\necho: abc\r\ndb# ");
    type(fd, "\n");  // an empty line: only a new prompt
    EXPECT_EQ(read_until(fd, "db# "), "\r\ndb# ");
}

TEST(SimConsole, SeveralClientsSeeTheOutputAndEachTypesIn) {
    RunningGuest g("shared");
    auto one = g.sim.open_console(g.id);
    auto two = g.sim.open_console(g.id);
    ASSERT_TRUE(one.ok());
    ASSERT_TRUE(two.ok());
    read_until(one.value().fd(), "shared# ");
    read_until(two.value().fd(), "shared# ");
    type(one.value().fd(), "from one\r");
    EXPECT_NE(read_until(two.value().fd(), "shared# ").find("echo: from one"), std::string::npos);
    EXPECT_NE(read_until(one.value().fd(), "shared# ").find("echo: from one"), std::string::npos);
    type(two.value().fd(), "from two\r");
    EXPECT_NE(read_until(one.value().fd(), "shared# ").find("echo: from two"), std::string::npos);
}

TEST(SimConsole, ClosesWhenTheDomainGoes) {
    RunningGuest g("short");
    auto stream = g.sim.open_console(g.id);
    ASSERT_TRUE(stream.ok());
    read_until(stream.value().fd(), "short# ");
    ASSERT_TRUE(g.sim.destroy(g.id).ok());
    char c = 0;
    EXPECT_EQ(::read(stream.value().fd(), &c, 1), 0);  // end of file
    EXPECT_FALSE(g.sim.open_console(g.id).ok());
}

TEST(SimConsole, ClosesWhenTheGuestPowersOffAndRefusesAHaltedDomain) {
    RunningGuest g("off");
    auto stream = g.sim.open_console(g.id);
    ASSERT_TRUE(stream.ok());
    ASSERT_TRUE(g.sim.guest_exit(g.id, GuestExit::poweroff));
    char c = 0;
    read_until(stream.value().fd(), "off# ");
    EXPECT_EQ(::read(stream.value().fd(), &c, 1), 0);
    auto refused = g.sim.open_console(g.id);
    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, "VM_BAD_POWER_STATE");
}

TEST(SimConsole, ADetachedClientLeavesTheGuestServingOthers) {
    RunningGuest g("stay");
    {
        auto gone = g.sim.open_console(g.id);
        ASSERT_TRUE(gone.ok());
    }  // closed at once
    auto stream = g.sim.open_console(g.id);
    ASSERT_TRUE(stream.ok());
    read_until(stream.value().fd(), "stay# ");
    type(stream.value().fd(), "still here\r");
    EXPECT_NE(read_until(stream.value().fd(), "stay# ").find("echo: still here"),
              std::string::npos);
}

}  // namespace
}  // namespace tern::xapi
