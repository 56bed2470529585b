// A seeded random walk of requests, well-formed and not, from dom0 and from a guest, through
// memory rings: every request gets exactly one reply with its req_id, nothing crashes (the
// ASan build runs this too), and the store still works afterwards.
#include <gtest/gtest.h>

#include <random>

#include "memory_ring_for_test.hpp"
#include "xenstored/xenstore_server.hpp"

namespace tern::dom0::xenstored {
namespace {

struct Peer {
    std::shared_ptr<SharedMemory_for_test> memory = std::make_shared<SharedMemory_for_test>();
    GuestEnd_for_test guest{memory};
    ConnectionId id = 0;
};

std::string random_path(std::mt19937& random) {
    static const char* kParts[] = {"a", "b", "c", "local", "domain", "5", "@x", "", "d-e_f"};
    std::string path = random() % 4 == 0 ? "" : "/";
    const int depth = static_cast<int>(random() % 4);
    for (int i = 0; i < depth; ++i) {
        if (i > 0) {
            path += '/';
        }
        path += kParts[random() % std::size(kParts)];
    }
    return path.empty() ? "/" : path;
}

std::string random_payload(std::mt19937& random) {
    std::string payload;
    const int strings = static_cast<int>(random() % 4);
    for (int i = 0; i < strings; ++i) {
        switch (random() % 5) {
            case 0:
                payload += std::to_string(random() % 20);
                break;
            case 1:
                payload += "T";
                break;
            case 2:
                payload += static_cast<char>('n' + random() % 3) + std::to_string(random() % 8);
                break;
            default:
                payload += random_path(random);
                break;
        }
        if (random() % 8 != 0) {
            payload += '\0';
        }
    }
    return payload;
}

TEST(RandomRequestsTest, EveryRequestGetsOneReplyAndTheServerSurvives) {
    std::mt19937 random(20261202);
    XenstoreServer server(Quotas{}, [](DomainId, std::uint64_t, std::uint32_t) {
        return std::unique_ptr<Transport>();
    });
    Peer dom0;
    Peer guest;
    dom0.id =
        server.add_connection(make_memory_ring_for_test(dom0.memory), Caller{kDom0, true, {}});
    guest.id = server.add_connection(make_memory_ring_for_test(guest.memory),
                                     Caller{DomainId{5}, false, {}});
    std::uint32_t open_tx = 0;
    for (std::uint32_t req_id = 1; req_id <= 5000; ++req_id) {
        Peer& peer = random() % 3 == 0 ? guest : dom0;
        const auto type = static_cast<MessageType>(random() % 24);
        const std::uint32_t tx_id = random() % 3 == 0 ? open_tx : 0;
        peer.guest.send(type, random_payload(random), tx_id, req_id);
        server.service(peer.id);
        std::vector<Message> replies;
        for (int round = 0; round < 8; ++round) {
            for (auto& message : peer.guest.receive()) {
                if (message.header.type != static_cast<std::uint32_t>(MessageType::kWatchEvent)) {
                    replies.push_back(message);
                }
            }
            server.flush_all();
        }
        ASSERT_EQ(replies.size(), 1U) << "request " << req_id;
        EXPECT_EQ(replies[0].header.req_id, req_id);
        if (type == MessageType::kTransactionStart &&
            replies[0].header.type == static_cast<std::uint32_t>(MessageType::kTransactionStart)) {
            open_tx = static_cast<std::uint32_t>(std::stoul(replies[0].payload));
        }
    }
    EXPECT_TRUE(server.take_closed().empty());
    dom0.guest.send(MessageType::kWrite, std::string("/final\0ok", 9), 0, 1);
    dom0.guest.send(MessageType::kRead, std::string("/final\0", 7), 0, 2);
    server.service(dom0.id);
    auto replies = dom0.guest.receive();
    std::erase_if(replies, [](const Message& m) {
        return m.header.type == static_cast<std::uint32_t>(MessageType::kWatchEvent);
    });
    ASSERT_EQ(replies.size(), 2U);
    EXPECT_EQ(replies[1].payload, "ok");
}

}  // namespace
}  // namespace tern::dom0::xenstored
