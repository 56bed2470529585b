// XenstoreClient against the real server over a socket pair: the client runs its blocking calls
// on a thread while this thread serves the other end.
#include "xenstored/xenstore_client.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "xenstored/socket_transport.hpp"
#include "xenstored/xenstore_server.hpp"

namespace tern::dom0::xenstored {
namespace {

class XenstoreClientTest : public ::testing::Test {
  protected:
    // Runs `body` with a client of a fresh connection, serving it until `body` returns.
    void with_client(const std::function<void(XenstoreClient&)>& body) {
        int fds[2];
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        const ConnectionId id = server_.add_connection(
            std::make_unique<SocketTransport>(UniqueFd(fds[0])), Caller{kDom0, true, {}});
        std::atomic<bool> done = false;
        std::thread client_thread([&] {
            XenstoreClient client{UniqueFd(fds[1])};
            body(client);
            done = true;
        });
        while (!done) {
            pollfd ready{fds[0], POLLIN, 0};
            if (::poll(&ready, 1, 10) > 0) {
                server_.service(id);
            }
        }
        client_thread.join();
    }

    XenstoreServer server_{Quotas{}, RingConnector()};
};

TEST_F(XenstoreClientTest, ReadWriteDirectoryAndPermissions) {
    with_client([](XenstoreClient& client) {
        ASSERT_TRUE(client.connected());
        ASSERT_TRUE(client.write("/local/domain/4/name", "guest").ok());
        ASSERT_TRUE(client.mkdir("/local/domain/4/device").ok());
        EXPECT_EQ(client.read("/local/domain/4/name").value(), "guest");
        EXPECT_EQ(client.directory("/local/domain/4").value(),
                  (std::vector<std::string>{"name", "device"}));
        ASSERT_TRUE(
            client
                .set_permissions("/local/domain/4", {Permission{DomainId{4}, Access::kNone},
                                                     Permission{DomainId{0}, Access::kRead}})
                .ok());
        EXPECT_EQ(client.read("/nope").error(), XsError::kENOENT);
        ASSERT_TRUE(client.remove("/local/domain/4/device").ok());
        EXPECT_EQ(client.read("/local/domain/4/device").error(), XsError::kENOENT);
    });
}

TEST_F(XenstoreClientTest, TransactionsIntroductionAndWatches) {
    with_client([](XenstoreClient& client) {
        ASSERT_TRUE(client.watch("@introduceDomain", "in").ok());
        EXPECT_EQ(client.next_event().value(),
                  (std::pair<std::string, std::string>{"@introduceDomain", "in"}));
        const auto tx = client.transaction_start();
        ASSERT_TRUE(tx.ok());
        ASSERT_TRUE(client.write("/local/domain/9/memory", "65536", tx.value()).ok());
        ASSERT_TRUE(client.transaction_end(tx.value(), true).ok());
        EXPECT_EQ(client.read("/local/domain/9/memory").value(), "65536");
        ASSERT_TRUE(client.introduce(DomainId{9}, 0x39000, 5).ok());
        EXPECT_EQ(client.next_event().value().first, "@introduceDomain");
        ASSERT_TRUE(client.release(DomainId{9}).ok());
        EXPECT_EQ(client.release(DomainId{9}).error(), XsError::kENOENT);
        ASSERT_TRUE(client.unwatch("@introduceDomain", "in").ok());
    });
}

TEST(XenstoreClientConnectTest, AMissingSocketLeavesTheClientUnconnected) {
    XenstoreClient client("/nonexistent/xenstored/socket");
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(client.read("/").error(), XsError::kEIO);
}

}  // namespace
}  // namespace tern::dom0::xenstored
