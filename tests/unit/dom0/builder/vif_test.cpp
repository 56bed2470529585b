// The `vif` entries of a guest config (xl's "mac=..,bridge=.." settings), and the xenstore
// entries the builder writes for them against the real xenstored (over a socket pair): the
// backend directory netback probes and the frontend directory netfront reads, and their
// removal when the domain is destroyed.
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>

#include "dom0/builder/guest_config.hpp"
#include "dom0/builder/guest_vif.hpp"
#include "dom0/builder/vif_spec.hpp"
#include "xenstored/socket_transport.hpp"
#include "xenstored/xenstore_server.hpp"

namespace tern::dom0 {
namespace {

namespace xs = xenstored;

std::string error_of(std::string_view text) {
    try {
        parse_vif_spec(text, 0);
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "no error";
}

TEST(VifSpec, MacAndBridge) {
    const VifSpec vif = parse_vif_spec("mac=00:16:3e:0a:0B:0c,bridge=br-lan", 2);
    EXPECT_EQ(vif.mac, "00:16:3e:0a:0B:0c");
    EXPECT_EQ(vif.bridge, "br-lan");
    EXPECT_EQ(vif.devid, 2u);
    const VifSpec plain = parse_vif_spec("", 0);
    EXPECT_EQ(plain.mac, "");
    EXPECT_EQ(plain.bridge, "xenbr0");
    EXPECT_EQ(default_vif_mac(0x1234, 3), "00:16:3e:12:34:03");
}

TEST(VifSpec, MistakesSayWhatIsWrong) {
    EXPECT_NE(error_of("mac=00:16:3e:0a:0b").find("not a unicast MAC"), std::string::npos);
    EXPECT_NE(error_of("mac=01:16:3e:0a:0b:0c").find("not a unicast MAC"), std::string::npos);
    EXPECT_NE(error_of("mac=00-16-3e-0a-0b-0c").find("not a unicast MAC"), std::string::npos);
    EXPECT_NE(error_of("mac=00:16:3e:0a:0b:0g").find("not a unicast MAC"), std::string::npos);
    EXPECT_NE(error_of("bridge=a;b").find("not an interface name"), std::string::npos);
    EXPECT_NE(error_of("bridge=").find("not an interface name"), std::string::npos);
    EXPECT_NE(error_of("bridge=averyveryverylongname").find("not an interface name"),
              std::string::npos);
    EXPECT_NE(error_of("model=e1000").find("unknown vif setting 'model'"), std::string::npos);
    EXPECT_NE(error_of("xenbr0").find("KEY=VALUE"), std::string::npos);
}

TEST(GuestConfigVifs, HandlesAreTheirIndexes) {
    const auto c = parse_guest_config(
        "kernel = \"k\"\nmemory = 64\n"
        "vif = [ \"mac=00:16:3e:00:00:01,bridge=xenbr0\",  # first\n"
        "        \"bridge=xenbr1\" ]\n",
        "guest.cfg");
    ASSERT_EQ(c.vifs.size(), 2u);
    EXPECT_EQ(c.vifs[0].devid, 0u);
    EXPECT_EQ(c.vifs[0].mac, "00:16:3e:00:00:01");
    EXPECT_EQ(c.vifs[1].devid, 1u);
    EXPECT_EQ(c.vifs[1].bridge, "xenbr1");
    auto error = [](const std::string& text) -> std::string {
        try {
            parse_guest_config("kernel = \"k\"\nmemory = 64\n" + text, "guest.cfg");
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "no error";
    };
    EXPECT_EQ(error("vif = [ \"ip=1.2.3.4\" ]\n"),
              "guest.cfg:3:9: unknown vif setting 'ip' (mac or bridge)");
    EXPECT_EQ(error("vif = [ \"bridge=a\" \"bridge=b\" ]\n"),
              "guest.cfg:3:20: expected ',' or ']' in the vif list");
}

class GuestVifTest : public ::testing::Test {
  protected:
    void with_store(const std::function<void(xs::XenstoreClient&)>& body) {
        int fds[2];
        ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
        const xs::ConnectionId id =
            server_.add_connection(std::make_unique<xs::SocketTransport>(xs::UniqueFd(fds[0])),
                                   xs::Caller{xs::kDom0, true, {}});
        std::atomic<bool> done = false;
        std::thread client_thread([&] {
            xs::XenstoreClient client{xs::UniqueFd(fds[1])};
            body(client);
            done = true;
        });
        while (!done) {
            pollfd ready{fds[0], POLLIN, 0};
            if (::poll(&ready, 1, 10) > 0)
                server_.service(id);
        }
        client_thread.join();
    }

    xs::XenstoreServer server_{xs::Quotas{}, xs::RingConnector()};
};

std::string read(xs::XenstoreClient& store, const std::string& path) {
    auto value = store.read(path);
    return value.ok() ? value.value() : "<" + std::string(xs::error_name(value.error())) + ">";
}

TEST_F(GuestVifTest, BackendAndFrontendEntriesAsNetbackAndNetfrontReadThem) {
    with_store([](xs::XenstoreClient& store) {
        std::vector<VifSpec> vifs = {parse_vif_spec("mac=00:16:3e:01:02:03", 0),
                                     parse_vif_spec("bridge=xenbr1", 1)};
        add_vifs_to_xenstore(store, 7, vifs);
        EXPECT_EQ(vifs[1].mac, "00:16:3e:00:07:01");  // filled in
        const std::string back = "/local/domain/0/backend/vif/7/0";
        const std::string front = "/local/domain/7/device/vif/0";
        EXPECT_EQ(vif_backend_path(7, 0), back);
        EXPECT_EQ(vif_interface_name(7, 1), "vif7.1");
        EXPECT_EQ(read(store, back + "/frontend"), front);
        EXPECT_EQ(read(store, back + "/frontend-id"), "7");
        EXPECT_EQ(read(store, back + "/online"), "1");
        EXPECT_EQ(read(store, back + "/state"), "1");
        EXPECT_EQ(read(store, back + "/handle"), "0");
        EXPECT_EQ(read(store, back + "/mac"), "00:16:3e:01:02:03");
        EXPECT_EQ(read(store, back + "/bridge"), "xenbr0");
        EXPECT_EQ(read(store, front + "/backend"), back);
        EXPECT_EQ(read(store, front + "/backend-id"), "0");
        EXPECT_EQ(read(store, front + "/state"), "1");
        EXPECT_EQ(read(store, front + "/handle"), "0");
        EXPECT_EQ(read(store, front + "/mac"), "00:16:3e:01:02:03");
        EXPECT_EQ(read(store, "/local/domain/0/backend/vif/7/1/bridge"), "xenbr1");
        EXPECT_EQ(read(store, "/local/domain/7/device/vif/1/mac"), "00:16:3e:00:07:01");
        // No netback here: no interface to wait for, and the backend directory goes.
        EXPECT_EQ(remove_vifs(store, 7, std::chrono::milliseconds(0)), 0u);
        EXPECT_FALSE(store.directory("/local/domain/0/backend/vif/7").ok());
        EXPECT_EQ(remove_vifs(store, 7, std::chrono::milliseconds(0)), 0u);
    });
}

}  // namespace
}  // namespace tern::dom0
