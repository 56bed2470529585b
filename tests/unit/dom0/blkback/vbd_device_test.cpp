// One vbd's xenbus protocol against the real xenstored (over a socket pair), with the test
// playing the toolstack (the builder's add_vbds_to_xenstore) and the guest's blkfront: the
// backend advertises the disk and waits, connects to the ring the guest offers, serves its
// requests and notifies it, closes when the guest closes (every grant released), reopens when
// the guest comes back, and closes for good when the toolstack takes it offline or removes it.
#include "dom0/blkback/vbd_device.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <functional>
#include <thread>

#include "../diskimage/temp_dir_for_test.hpp"
#include "dom0/builder/disk_spec.hpp"
#include "dom0/builder/guest_vbd.hpp"
#include "fake_grants_for_test.hpp"
#include "xenstored/socket_transport.hpp"
#include "xenstored/xenstore_server.hpp"

namespace tern::dom0::blkback {
namespace {

namespace xs = xenstored;

constexpr std::uint32_t kGuest = 5;
constexpr std::uint32_t kDevid = 51712;  // xvda
constexpr std::uint32_t kGuestPort = 7;

class ChannelForTest : public xs::EventChannel {
  public:
    explicit ChannelForTest(std::atomic<int>& notified) : notified_(notified) {}
    void notify() override { ++notified_; }
    int fd() const override { return -1; }

  private:
    std::atomic<int>& notified_;
};

class VbdDeviceTest : public ::testing::Test {
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

    std::string make_image() {
        const auto path = dir_.file("disk.raw");
        std::ofstream out(path, std::ios::binary);
        std::vector<char> data(64 * 1024, 'd');
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        return path.string();
    }

    VbdDevice make_device(xs::XenstoreClient& store) {
        return VbdDevice(
            kGuest, kDevid, store, grants_,
            [this](std::uint32_t domain, std::uint32_t port) {
                bound_domain_ = domain;
                bound_port_ = port;
                return std::make_unique<ChannelForTest>(notified_);
            },
            [this](const std::string& line) { log_.push_back(line); });
    }

    xs::XenstoreServer server_{xs::Quotas{}, xs::RingConnector()};
    diskimage::TempDirForTest dir_;
    FakeGrantsForTest grants_{kGuest};
    std::atomic<int> notified_ = 0;
    std::uint32_t bound_domain_ = 0;
    std::uint32_t bound_port_ = 0;
    std::vector<std::string> log_;
};

std::string read(xs::XenstoreClient& store, const std::string& path) {
    auto value = store.read(path);
    return value.ok() ? value.value() : "<" + std::string(xs::error_name(value.error())) + ">";
}

TEST_F(VbdDeviceTest, TheWholeLifeOfADisk) {
    const std::string image = make_image();
    with_store([&](xs::XenstoreClient& store) {
        add_vbds_to_xenstore(store, kGuest, {parse_disk_spec("file:" + image + ",xvda,w")});
        const std::string backend = vbd_backend_path(kGuest, kDevid);
        const std::string frontend = "/local/domain/5/device/vbd/51712";
        EXPECT_EQ(read(store, frontend + "/backend"), backend);
        EXPECT_EQ(read(store, frontend + "/virtual-device"), "51712");
        EXPECT_EQ(read(store, backend + "/frontend"), frontend);
        EXPECT_EQ(read(store, backend + "/state"), "1");

        // Initialising -> InitWait: the disk's size and features for blkfront.
        VbdDevice device = make_device(store);
        EXPECT_TRUE(device.update());
        EXPECT_EQ(read(store, backend + "/state"), "2");
        EXPECT_EQ(read(store, backend + "/sectors"), "128");
        EXPECT_EQ(read(store, backend + "/sector-size"), "512");
        EXPECT_EQ(read(store, backend + "/info"), "0");
        EXPECT_EQ(read(store, backend + "/feature-flush-cache"), "1");
        EXPECT_FALSE(device.connected());
        EXPECT_TRUE(device.update());  // nothing new from the guest: no step
        EXPECT_EQ(read(store, backend + "/state"), "2");

        // The guest offers its ring: Connected.
        const std::uint32_t ring_ref = grants_.grant();
        auto* header = reinterpret_cast<BlkifSharedRingHeader*>(grants_.page(ring_ref).data());
        header->req_event = header->rsp_event = 1;
        ASSERT_TRUE(store.write(frontend + "/ring-ref", std::to_string(ring_ref)).ok());
        ASSERT_TRUE(store.write(frontend + "/event-channel", std::to_string(kGuestPort)).ok());
        ASSERT_TRUE(store.write(frontend + "/protocol", "arm-abi").ok());
        ASSERT_TRUE(store.write(frontend + "/state", "3").ok());
        EXPECT_TRUE(device.update());
        EXPECT_EQ(read(store, backend + "/state"), "4");
        EXPECT_TRUE(device.connected());
        EXPECT_EQ(bound_domain_, kGuest);
        EXPECT_EQ(bound_port_, kGuestPort);
        EXPECT_EQ(grants_.live_batches(), 1);  // the ring

        // A write then a read of the same sector through the ring.
        const std::uint32_t data = grants_.grant(true, 'w');
        const std::uint32_t into = grants_.grant(false, 0);
        auto* slots = reinterpret_cast<BlkifSlot*>(header + 1);
        slots[0].request = BlkifRequest{1, 1, 0, 0, 11, 3, {{data, 0, 0, {0, 0}}}};
        slots[1].request = BlkifRequest{0, 1, 0, 0, 12, 3, {{into, 0, 0, {0, 0}}}};
        header->req_prod = 2;
        device.on_event();
        EXPECT_EQ(header->rsp_prod, 2u);
        EXPECT_EQ(slots[0].response.id, 11u);
        EXPECT_EQ(slots[0].response.status, 0);
        EXPECT_EQ(slots[1].response.id, 12u);
        EXPECT_EQ(slots[1].response.status, 0);
        EXPECT_EQ(grants_.page(into)[0], 'w');
        EXPECT_EQ(grants_.page(into)[512], 0);
        EXPECT_EQ(notified_, 1);
        EXPECT_EQ(header->req_event, 3u);  // armed for the next request
        EXPECT_EQ(grants_.live_batches(), 1);

        // The guest closes: the ring is let go.
        ASSERT_TRUE(store.write(frontend + "/state", "5").ok());
        EXPECT_TRUE(device.update());
        EXPECT_EQ(read(store, backend + "/state"), "6");
        EXPECT_FALSE(device.connected());
        EXPECT_EQ(grants_.live_batches(), 0);

        // ... and comes back.
        ASSERT_TRUE(store.write(frontend + "/state", "1").ok());
        EXPECT_TRUE(device.update());
        EXPECT_EQ(read(store, backend + "/state"), "2");
        ASSERT_TRUE(store.write(frontend + "/state", "3").ok());
        EXPECT_TRUE(device.update());
        EXPECT_EQ(read(store, backend + "/state"), "4");

        // The toolstack takes it offline, then removes it.
        ASSERT_TRUE(store.write(backend + "/online", "0").ok());
        ASSERT_TRUE(store.write(backend + "/state", "5").ok());
        EXPECT_TRUE(device.update());
        EXPECT_EQ(read(store, backend + "/state"), "6");
        EXPECT_EQ(grants_.live_batches(), 0);
        remove_vbds(store, kGuest);
        EXPECT_FALSE(device.update());
    });
    std::ifstream in(image, std::ios::binary);
    std::vector<char> bytes(2048);
    in.read(bytes.data(), 2048);
    EXPECT_EQ(bytes[3 * 512], 'w');
    EXPECT_EQ(bytes[3 * 512 - 1], 'd');
}

TEST_F(VbdDeviceTest, AMissingImageOrABadRingIsRefusedNotFatal) {
    const std::string image = make_image();
    with_store([&](xs::XenstoreClient& store) {
        add_vbds_to_xenstore(store, kGuest, {parse_disk_spec("qcow2:" + image + ",xvda,w")});
        const std::string backend = vbd_backend_path(kGuest, kDevid);
        VbdDevice device = make_device(store);
        EXPECT_TRUE(device.update());  // a raw file is not a qcow2 image
        EXPECT_EQ(read(store, backend + "/state"), "6");
        EXPECT_NE(read(store, backend + "/error"), "<ENOENT>");
        remove_vbds(store, kGuest);
        EXPECT_FALSE(device.update());

        add_vbds_to_xenstore(store, kGuest, {parse_disk_spec("file:" + image + ",xvda,r")});
        VbdDevice second = make_device(store);
        EXPECT_TRUE(second.update());
        EXPECT_EQ(read(store, backend + "/info"), "4");  // read-only
        const std::string frontend = "/local/domain/5/device/vbd/51712";
        ASSERT_TRUE(store.write(frontend + "/ring-ref", "999").ok());  // never granted
        ASSERT_TRUE(store.write(frontend + "/event-channel", "7").ok());
        ASSERT_TRUE(store.write(frontend + "/state", "3").ok());
        EXPECT_TRUE(second.update());
        EXPECT_EQ(read(store, backend + "/state"), "6");
        EXPECT_FALSE(second.connected());
        EXPECT_THROW(add_vbds_to_xenstore(store, 6, {parse_disk_spec("file:/no/such,xvda,w")}),
                     std::runtime_error);
    });
}

}  // namespace
}  // namespace tern::dom0::blkback
