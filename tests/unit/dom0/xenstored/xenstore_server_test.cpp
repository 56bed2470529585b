// The whole server driven through memory rings, as guests and dom0 would drive it: reply
// framing, error replies, watches and their events, transactions with EAGAIN, domain
// introduction and release, quotas, DIRECTORY_PART and protocol violations.
#include "xenstored/xenstore_server.hpp"

#include <gtest/gtest.h>

#include <map>

#include "memory_ring_for_test.hpp"

namespace tern::dom0::xenstored {
namespace {

struct Client {
    std::shared_ptr<SharedMemory_for_test> memory;
    std::unique_ptr<GuestEnd_for_test> guest;
    ConnectionId id = 0;
    std::vector<Message> events;
};

class XenstoreServerTest : public ::testing::Test {
  protected:
    XenstoreServerTest()
        : server_(Quotas{}, [this](DomainId domid, std::uint64_t, std::uint32_t) {
              auto memory = std::make_shared<SharedMemory_for_test>();
              introduced_[domid.value] = memory;
              return std::unique_ptr<Transport>(make_memory_ring_for_test(memory));
          }) {}

    Client connect(Caller caller) {
        Client client;
        client.memory = std::make_shared<SharedMemory_for_test>();
        client.guest = std::make_unique<GuestEnd_for_test>(client.memory);
        client.id = server_.add_connection(make_memory_ring_for_test(client.memory), caller);
        return client;
    }

    // The client of an introduced domain's ring.
    Client guest_of(std::uint32_t domid, ConnectionId id) {
        Client client;
        client.memory = introduced_.at(domid);
        client.guest = std::make_unique<GuestEnd_for_test>(client.memory);
        client.id = id;
        return client;
    }

    // Sends a request and returns its reply; watch events that arrive are kept in `events`.
    Message request(Client& client, MessageType type, std::string_view payload,
                    std::uint32_t tx_id = 0) {
        client.guest->send(type, payload, tx_id, ++req_id_);
        server_.service(client.id);
        std::optional<Message> reply;
        // A reply longer than the response ring arrives as the guest consumes it.
        for (int round = 0; round < 8 && !reply; ++round) {
            for (auto& message : client.guest->receive()) {
                if (message.header.type == static_cast<std::uint32_t>(MessageType::kWatchEvent)) {
                    client.events.push_back(message);
                } else {
                    EXPECT_FALSE(reply.has_value()) << "two replies";
                    reply = message;
                }
            }
            server_.flush_all();
        }
        EXPECT_TRUE(reply.has_value()) << "no reply";
        if (!reply) {
            return Message{MessageHeader{~0U, 0, 0, 0}, ""};
        }
        EXPECT_EQ(reply->header.req_id, req_id_);
        EXPECT_EQ(reply->header.tx_id, tx_id);
        return *reply;
    }

    std::vector<Message> take_events(Client& client) {
        for (auto& message : client.guest->receive()) {
            client.events.push_back(message);
        }
        return std::exchange(client.events, {});
    }

    void expect_ok(Client& client, MessageType type, std::string_view payload,
                   std::uint32_t tx_id = 0) {
        const auto reply = request(client, type, payload, tx_id);
        EXPECT_EQ(reply.header.type, static_cast<std::uint32_t>(type)) << reply.payload;
        EXPECT_EQ(reply.payload, strings_for_test({"OK"}));
    }

    void expect_error(Client& client, MessageType type, std::string_view payload,
                      std::string_view error, std::uint32_t tx_id = 0) {
        const auto reply = request(client, type, payload, tx_id);
        EXPECT_EQ(reply.header.type, static_cast<std::uint32_t>(MessageType::kError));
        EXPECT_EQ(reply.payload, strings_for_test({error}));
    }

    std::string write_payload(std::string_view path, std::string_view value) {
        std::string payload(path);
        payload += '\0';
        payload += value;
        return payload;
    }

    // dom0 gives a domain its home directory, as a toolstack does.
    void make_home(Client& dom0, std::uint32_t domid) {
        const std::string home = "/local/domain/" + std::to_string(domid);
        expect_ok(dom0, MessageType::kMkdir, strings_for_test({home}));
        expect_ok(dom0, MessageType::kSetPerms,
                  strings_for_test({home, "n" + std::to_string(domid)}));
    }

    std::map<std::uint32_t, std::shared_ptr<SharedMemory_for_test>> introduced_;
    XenstoreServer server_;
    std::uint32_t req_id_ = 100;
};

const Caller kDom0Caller{kDom0, true, {}};

TEST_F(XenstoreServerTest, WriteThenReadOverTheRing) {
    Client dom0 = connect(kDom0Caller);
    expect_ok(dom0, MessageType::kWrite, write_payload("/tool/x", "value"));
    const auto reply = request(dom0, MessageType::kRead, strings_for_test({"/tool/x"}));
    EXPECT_EQ(reply.header.type, static_cast<std::uint32_t>(MessageType::kRead));
    EXPECT_EQ(reply.payload, "value");
    const auto listing = request(dom0, MessageType::kDirectory, strings_for_test({"/tool"}));
    EXPECT_EQ(listing.payload, strings_for_test({"x"}));
    EXPECT_GT(dom0.memory->notifications_to_guest, 0);
}

TEST_F(XenstoreServerTest, ErrorsAreReplyTypeErrorWithTheErrnoName) {
    Client dom0 = connect(kDom0Caller);
    expect_error(dom0, MessageType::kRead, strings_for_test({"/missing"}), "ENOENT");
    expect_error(dom0, MessageType::kRead, strings_for_test({"/bad//path"}), "EINVAL");
    expect_error(dom0, MessageType::kWrite, "/no-nul", "EINVAL");
    expect_error(dom0, static_cast<MessageType>(99), "", "EINVAL");
    expect_error(dom0, MessageType::kRm, strings_for_test({"/"}), "EINVAL");
}

TEST_F(XenstoreServerTest, AMessageSplitAcrossRingEventsIsHandledWhenComplete) {
    Client dom0 = connect(kDom0Caller);
    const std::string bytes =
        encode_message(MessageHeader{static_cast<std::uint32_t>(MessageType::kWrite), 1, 0, 0},
                       write_payload("/split", "abc"));
    dom0.guest->put_request_bytes(std::string_view(bytes).substr(0, 10));
    server_.service(dom0.id);
    EXPECT_TRUE(dom0.guest->receive().empty());
    dom0.guest->put_request_bytes(std::string_view(bytes).substr(10));
    server_.service(dom0.id);
    const auto replies = dom0.guest->receive();
    ASSERT_EQ(replies.size(), 1U);
    EXPECT_EQ(replies[0].payload, strings_for_test({"OK"}));
}

TEST_F(XenstoreServerTest, ARequestLargerThanTheRingIsReassembled) {
    Client dom0 = connect(kDom0Caller);
    const std::string value(3000, 'v');
    const std::string bytes =
        encode_message(MessageHeader{static_cast<std::uint32_t>(MessageType::kWrite), 1, 0, 0},
                       write_payload("/big", value));
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        sent += dom0.guest->put_request_bytes(std::string_view(bytes).substr(sent));
        server_.service(dom0.id);
    }
    ASSERT_EQ(dom0.guest->receive().size(), 1U);
    // The 3000-byte reply is larger than the response ring: it arrives as the guest reads.
    dom0.guest->send(MessageType::kRead, strings_for_test({"/big"}));
    server_.service(dom0.id);
    std::string received;
    for (int i = 0; i < 10; ++i) {
        received += dom0.guest->take_response_bytes();
        server_.flush_all();
    }
    ASSERT_EQ(received.size(), kHeaderSize + value.size());
    EXPECT_EQ(received.substr(kHeaderSize), value);
}

TEST_F(XenstoreServerTest, AnOversizedPayloadClosesTheConnection) {
    Client dom0 = connect(kDom0Caller);
    const std::string header =
        encode_message(MessageHeader{static_cast<std::uint32_t>(MessageType::kWrite), 1, 0, 0}, "");
    std::string bytes = header;
    const std::uint32_t len = kPayloadMax + 1;
    std::memcpy(bytes.data() + 12, &len, 4);
    dom0.guest->put_request_bytes(bytes);
    server_.service(dom0.id);
    EXPECT_EQ(server_.take_closed(), std::vector<ConnectionId>{dom0.id});
}

TEST_F(XenstoreServerTest, WatchGetsAnInitialEventThenEventsForChanges) {
    Client dom0 = connect(kDom0Caller);
    Client other = connect(kDom0Caller);
    expect_ok(dom0, MessageType::kWatch, strings_for_test({"/w", "tok"}));
    auto events = take_events(dom0);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].payload, strings_for_test({"/w", "tok"}));
    EXPECT_EQ(events[0].header.req_id, 0U);

    expect_ok(other, MessageType::kWrite, write_payload("/w/child", "1"));
    events = take_events(dom0);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].payload, strings_for_test({"/w/child", "tok"}));

    expect_ok(other, MessageType::kWrite, write_payload("/elsewhere", "1"));
    EXPECT_TRUE(take_events(dom0).empty());

    expect_ok(dom0, MessageType::kUnwatch, strings_for_test({"/w", "tok"}));
    expect_ok(other, MessageType::kWrite, write_payload("/w/child", "2"));
    EXPECT_TRUE(take_events(dom0).empty());
    expect_error(dom0, MessageType::kUnwatch, strings_for_test({"/w", "tok"}), "ENOENT");
}

TEST_F(XenstoreServerTest, DuplicateWatchIsEexistAndResetWatchesDropsThem) {
    Client dom0 = connect(kDom0Caller);
    expect_ok(dom0, MessageType::kWatch, strings_for_test({"/w", "tok"}));
    expect_error(dom0, MessageType::kWatch, strings_for_test({"/w", "tok"}), "EEXIST");
    expect_ok(dom0, MessageType::kResetWatches, strings_for_test({""}));
    take_events(dom0);
    expect_ok(dom0, MessageType::kWrite, write_payload("/w", "1"));
    EXPECT_TRUE(take_events(dom0).empty());
}

TEST_F(XenstoreServerTest, TransactionCommitsAndFiresWatchesOnlyOnCommit) {
    Client dom0 = connect(kDom0Caller);
    Client watcher = connect(kDom0Caller);
    expect_ok(watcher, MessageType::kWatch, strings_for_test({"/t", "tok"}));
    take_events(watcher);
    const auto start = request(dom0, MessageType::kTransactionStart, strings_for_test({""}));
    const auto tx = static_cast<std::uint32_t>(std::stoul(start.payload));
    ASSERT_NE(tx, 0U);
    expect_ok(dom0, MessageType::kWrite, write_payload("/t/a", "1"), tx);
    expect_error(watcher, MessageType::kRead, strings_for_test({"/t/a"}), "ENOENT");
    EXPECT_TRUE(take_events(watcher).empty());
    expect_ok(dom0, MessageType::kTransactionEnd, strings_for_test({"T"}), tx);
    EXPECT_EQ(request(watcher, MessageType::kRead, strings_for_test({"/t/a"})).payload, "1");
    const auto events = take_events(watcher);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].payload, strings_for_test({"/t/a", "tok"}));
    expect_error(dom0, MessageType::kTransactionEnd, strings_for_test({"T"}), "ENOENT", tx);
}

TEST_F(XenstoreServerTest, ConflictingCommitIsEagainAndAbortChangesNothing) {
    Client dom0 = connect(kDom0Caller);
    Client other = connect(kDom0Caller);
    expect_ok(dom0, MessageType::kWrite, write_payload("/c", "0"));
    const auto tx = static_cast<std::uint32_t>(
        std::stoul(request(dom0, MessageType::kTransactionStart, strings_for_test({""})).payload));
    EXPECT_EQ(request(dom0, MessageType::kRead, strings_for_test({"/c"}), tx).payload, "0");
    expect_ok(dom0, MessageType::kWrite, write_payload("/c", "tx"), tx);
    expect_ok(other, MessageType::kWrite, write_payload("/c", "other"));
    expect_error(dom0, MessageType::kTransactionEnd, strings_for_test({"T"}), "EAGAIN", tx);
    EXPECT_EQ(request(dom0, MessageType::kRead, strings_for_test({"/c"})).payload, "other");

    const auto aborted = static_cast<std::uint32_t>(
        std::stoul(request(dom0, MessageType::kTransactionStart, strings_for_test({""})).payload));
    expect_ok(dom0, MessageType::kWrite, write_payload("/c", "aborted"), aborted);
    expect_ok(dom0, MessageType::kTransactionEnd, strings_for_test({"F"}), aborted);
    EXPECT_EQ(request(dom0, MessageType::kRead, strings_for_test({"/c"})).payload, "other");
}

TEST_F(XenstoreServerTest, UnknownTransactionIdsAreEnoent) {
    Client dom0 = connect(kDom0Caller);
    expect_error(dom0, MessageType::kRead, strings_for_test({"/"}), "ENOENT", 4242);
    expect_error(dom0, MessageType::kTransactionStart, strings_for_test({""}), "EBUSY", 4242);
}

TEST_F(XenstoreServerTest, IntroduceConnectsTheGuestAndFiresIntroduceDomain) {
    Client dom0 = connect(kDom0Caller);
    expect_ok(dom0, MessageType::kWatch, strings_for_test({"@introduceDomain", "in"}));
    take_events(dom0);
    make_home(dom0, 5);
    EXPECT_EQ(request(dom0, MessageType::kIsDomainIntroduced, strings_for_test({"5"})).payload,
              strings_for_test({"F"}));
    expect_ok(dom0, MessageType::kIntroduce, strings_for_test({"5", "1234", "9"}));
    auto events = take_events(dom0);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].payload, strings_for_test({"@introduceDomain", "in"}));
    EXPECT_EQ(request(dom0, MessageType::kIsDomainIntroduced, strings_for_test({"5"})).payload,
              strings_for_test({"T"}));
    const auto opened = server_.take_opened();
    ASSERT_EQ(opened.size(), 1U);

    // The guest speaks through its own ring, with relative paths under its home.
    Client guest = guest_of(5, opened[0]);
    expect_ok(guest, MessageType::kWrite, write_payload("data/x", "hi"));
    EXPECT_EQ(
        request(dom0, MessageType::kRead, strings_for_test({"/local/domain/5/data/x"})).payload,
        "hi");
    EXPECT_EQ(request(guest, MessageType::kGetDomainPath, strings_for_test({"5"})).payload,
              strings_for_test({"/local/domain/5"}));
    // Introducing it again is harmless and fires nothing.
    expect_ok(dom0, MessageType::kIntroduce, strings_for_test({"5", "1234", "9"}));
    EXPECT_TRUE(take_events(dom0).empty());
    expect_error(dom0, MessageType::kIntroduce, strings_for_test({"0", "1", "1"}), "EINVAL");
}

TEST_F(XenstoreServerTest, ReleaseDisconnectsTheGuestAndFiresReleaseDomain) {
    Client dom0 = connect(kDom0Caller);
    expect_ok(dom0, MessageType::kIntroduce, strings_for_test({"6", "1", "2"}));
    const auto opened = server_.take_opened();
    ASSERT_EQ(opened.size(), 1U);
    expect_ok(dom0, MessageType::kWatch, strings_for_test({"@releaseDomain", "out"}));
    take_events(dom0);
    expect_ok(dom0, MessageType::kRelease, strings_for_test({"6"}));
    auto events = take_events(dom0);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].payload, strings_for_test({"@releaseDomain", "out"}));
    EXPECT_EQ(server_.take_closed(), opened);
    EXPECT_EQ(request(dom0, MessageType::kIsDomainIntroduced, strings_for_test({"6"})).payload,
              strings_for_test({"F"}));
    expect_error(dom0, MessageType::kRelease, strings_for_test({"6"}), "ENOENT");
}

TEST_F(XenstoreServerTest, DomainShutdownIsReportedOnceUntilResume) {
    Client dom0 = connect(kDom0Caller);
    expect_ok(dom0, MessageType::kIntroduce, strings_for_test({"7", "1", "2"}));
    expect_ok(dom0, MessageType::kWatch, strings_for_test({"@releaseDomain", "out"}));
    take_events(dom0);
    server_.report_domain_shutdown(DomainId{7});
    server_.report_domain_shutdown(DomainId{7});
    server_.flush_all();
    EXPECT_EQ(take_events(dom0).size(), 1U);
    expect_ok(dom0, MessageType::kResume, strings_for_test({"7"}));
    server_.report_domain_shutdown(DomainId{7});
    server_.flush_all();
    EXPECT_EQ(take_events(dom0).size(), 1U);
}

TEST_F(XenstoreServerTest, TheHypervisorsDomainListReleasesDeadDomains) {
    Client dom0 = connect(kDom0Caller);
    expect_ok(dom0, MessageType::kIntroduce, strings_for_test({"12", "1", "2"}));
    expect_ok(dom0, MessageType::kIntroduce, strings_for_test({"13", "1", "2"}));
    const auto opened = server_.take_opened();
    ASSERT_EQ(opened.size(), 2U);
    expect_ok(dom0, MessageType::kWatch, strings_for_test({"@releaseDomain", "out"}));
    take_events(dom0);
    // 12 shut down: reported once, still introduced. 13 is gone: released.
    server_.update_domains({{0, DomainRunState::kRunning}, {12, DomainRunState::kShutdown}});
    server_.update_domains({{0, DomainRunState::kRunning}, {12, DomainRunState::kShutdown}});
    server_.flush_all();
    EXPECT_EQ(take_events(dom0).size(), 2U);
    EXPECT_EQ(request(dom0, MessageType::kIsDomainIntroduced, strings_for_test({"12"})).payload,
              strings_for_test({"T"}));
    EXPECT_EQ(request(dom0, MessageType::kIsDomainIntroduced, strings_for_test({"13"})).payload,
              strings_for_test({"F"}));
    EXPECT_EQ(server_.take_closed(), std::vector<ConnectionId>{opened[1]});
}

TEST_F(XenstoreServerTest, GuestsCannotUsePrivilegedRequestsOrSeeSpecialWatches) {
    Client dom0 = connect(kDom0Caller);
    Client guest = connect(Caller{DomainId{3}, false, {}});
    for (auto type : {MessageType::kIntroduce, MessageType::kRelease, MessageType::kResume,
                      MessageType::kSetTarget, MessageType::kControl}) {
        expect_error(guest, type, strings_for_test({"3", "1", "1"}), "EACCES");
    }
    expect_ok(guest, MessageType::kWatch, strings_for_test({"@introduceDomain", "in"}));
    take_events(guest);
    expect_ok(dom0, MessageType::kIntroduce, strings_for_test({"8", "1", "2"}));
    EXPECT_TRUE(take_events(guest).empty());
    // dom0 may open the special watch to the guest.
    expect_ok(dom0, MessageType::kSetPerms, strings_for_test({"@introduceDomain", "n0", "r3"}));
    expect_ok(dom0, MessageType::kIntroduce, strings_for_test({"9", "1", "2"}));
    EXPECT_EQ(take_events(guest).size(), 1U);
}

TEST_F(XenstoreServerTest, WatchEventsRespectReadPermission) {
    Client dom0 = connect(kDom0Caller);
    Client guest = connect(Caller{DomainId{3}, false, {}});
    make_home(dom0, 3);
    expect_ok(guest, MessageType::kWatch, strings_for_test({"/", "all"}));
    expect_ok(guest, MessageType::kWatch, strings_for_test({"mine", "rel"}));
    take_events(guest);
    expect_ok(dom0, MessageType::kWrite, write_payload("/private", "x"));
    EXPECT_TRUE(take_events(guest).empty());
    expect_ok(dom0, MessageType::kWrite, write_payload("/local/domain/3/mine", "x"));
    const auto events = take_events(guest);
    ASSERT_EQ(events.size(), 2U);
    EXPECT_EQ(events[0].payload, strings_for_test({"/local/domain/3/mine", "all"}));
    EXPECT_EQ(events[1].payload, strings_for_test({"mine", "rel"}));
}

TEST_F(XenstoreServerTest, RecursiveRemovalFiresWatchesBelow) {
    Client dom0 = connect(kDom0Caller);
    expect_ok(dom0, MessageType::kWrite, write_payload("/r/a/b", "1"));
    expect_ok(dom0, MessageType::kWatch, strings_for_test({"/r/a/b", "deep"}));
    take_events(dom0);
    expect_ok(dom0, MessageType::kRm, strings_for_test({"/r"}));
    const auto events = take_events(dom0);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].payload, strings_for_test({"/r/a/b", "deep"}));
}

TEST_F(XenstoreServerTest, QuotasLimitGuests) {
    Client dom0 = connect(kDom0Caller);
    Client guest = connect(Caller{DomainId{4}, false, {}});
    make_home(dom0, 4);
    server_.quotas().watches = 2;
    server_.quotas().transactions = 1;
    server_.quotas().request_size = 64;
    expect_ok(guest, MessageType::kWatch, strings_for_test({"a", "1"}));
    expect_ok(guest, MessageType::kWatch, strings_for_test({"a", "2"}));
    expect_error(guest, MessageType::kWatch, strings_for_test({"a", "3"}), "E2BIG");
    request(guest, MessageType::kTransactionStart, strings_for_test({""}));
    expect_error(guest, MessageType::kTransactionStart, strings_for_test({""}), "ENOSPC");
    expect_error(guest, MessageType::kWrite, write_payload("big", std::string(100, 'x')), "E2BIG");
    // dom0 is not limited.
    expect_ok(dom0, MessageType::kWrite, write_payload("/big", std::string(100, 'x')));
    request(dom0, MessageType::kTransactionStart, strings_for_test({""}));
    request(dom0, MessageType::kTransactionStart, strings_for_test({""}));
}

TEST_F(XenstoreServerTest, NodeQuotaIsEnospcForTheGuest) {
    Client dom0 = connect(kDom0Caller);
    Client guest = connect(Caller{DomainId{4}, false, {}});
    make_home(dom0, 4);
    expect_ok(dom0, MessageType::kControl, strings_for_test({"quota", "set", "nodes", "2"}));
    expect_ok(guest, MessageType::kWrite, write_payload("a", ""));
    expect_error(guest, MessageType::kWrite, write_payload("b", ""), "ENOSPC");
    const auto usage = request(dom0, MessageType::kControl, strings_for_test({"quota", "4"}));
    EXPECT_EQ(usage.payload, strings_for_test({"nodes 2\nwatches 0\ntransactions 0\n"}));
    expect_error(dom0, MessageType::kControl, strings_for_test({"quota", "set", "bogus", "2"}),
                 "EINVAL");
}

TEST_F(XenstoreServerTest, SetTargetGivesADeviceModelItsGuestsRights) {
    Client dom0 = connect(kDom0Caller);
    expect_ok(dom0, MessageType::kIntroduce, strings_for_test({"10", "1", "2"}));
    expect_ok(dom0, MessageType::kIntroduce, strings_for_test({"11", "1", "2"}));
    const auto opened = server_.take_opened();
    ASSERT_EQ(opened.size(), 2U);
    make_home(dom0, 10);
    Client device_model = guest_of(11, opened[1]);
    expect_error(device_model, MessageType::kWrite, write_payload("/local/domain/10/x", "1"),
                 "EACCES");
    expect_ok(dom0, MessageType::kSetTarget, strings_for_test({"11", "10"}));
    expect_ok(device_model, MessageType::kWrite, write_payload("/local/domain/10/x", "1"));
    expect_error(dom0, MessageType::kSetTarget, strings_for_test({"11", "99"}), "ENOENT");
}

TEST_F(XenstoreServerTest, DirectoryPartPagesALongListing) {
    Client dom0 = connect(kDom0Caller);
    std::vector<std::string> names;
    for (int i = 0; i < 400; ++i) {
        names.push_back("child-number-" + std::to_string(i));
        expect_ok(dom0, MessageType::kWrite, write_payload("/many/" + names.back(), ""));
    }
    expect_error(dom0, MessageType::kDirectory, strings_for_test({"/many"}), "E2BIG");
    std::vector<std::string> collected;
    std::string generation;
    std::size_t offset = 0;
    for (int round = 0; round < 10; ++round) {
        const auto reply = request(dom0, MessageType::kDirectoryPart,
                                   strings_for_test({"/many", std::to_string(offset)}));
        ASSERT_EQ(reply.header.type, static_cast<std::uint32_t>(MessageType::kDirectoryPart));
        ASSERT_LE(reply.payload.size(), kPayloadMax);
        auto parts = split_strings(reply.payload);
        ASSERT_FALSE(parts.empty());
        if (generation.empty()) {
            generation = parts[0];
        }
        EXPECT_EQ(parts[0], generation);
        const bool complete = reply.payload.ends_with(std::string(2, '\0'));
        for (std::size_t i = 1; i < parts.size(); ++i) {
            if (!parts[i].empty()) {
                collected.emplace_back(parts[i]);
                offset += parts[i].size() + 1;
            }
        }
        if (complete) {
            break;
        }
    }
    EXPECT_EQ(collected, names);
}

TEST_F(XenstoreServerTest, PermissionsRoundTripThroughGetAndSet) {
    Client dom0 = connect(kDom0Caller);
    expect_ok(dom0, MessageType::kWrite, write_payload("/p", ""));
    expect_ok(dom0, MessageType::kSetPerms, strings_for_test({"/p", "r2", "w3", "b4"}));
    EXPECT_EQ(request(dom0, MessageType::kGetPerms, strings_for_test({"/p"})).payload,
              strings_for_test({"r2", "w3", "b4"}));
    expect_error(dom0, MessageType::kSetPerms, strings_for_test({"/p", "x9"}), "EINVAL");
    expect_error(dom0, MessageType::kSetPerms, strings_for_test({"/missing", "n0"}), "ENOENT");
}

TEST_F(XenstoreServerTest, AGuestThatDoesNotReadRepliesIsNoLongerRead) {
    Client dom0 = connect(kDom0Caller);
    expect_ok(dom0, MessageType::kWrite, write_payload("/big", std::string(900, 'b')));
    Client guest = connect(Caller{DomainId{3}, false, {}});
    expect_ok(dom0, MessageType::kSetPerms, strings_for_test({"/big", "r3"}));
    // Each READ reply is about 900 bytes; the guest sends requests but never takes a reply.
    int sent = 0;
    for (; sent < 200; ++sent) {
        const std::string request =
            encode_message(MessageHeader{static_cast<std::uint32_t>(MessageType::kRead), 1, 0, 0},
                           strings_for_test({"/big"}));
        if (guest.guest->put_request_bytes(request) != request.size()) {
            break;
        }
        server_.service(guest.id);
    }
    // The server stopped consuming requests once its backlog passed the limit.
    EXPECT_LT(sent, 200);
    EXPECT_TRUE(server_.has_pending_output(guest.id));
    // Once the guest reads, everything is answered.
    std::size_t replies = 0;
    for (int round = 0; round < 1000 && server_.has_pending_output(guest.id); ++round) {
        replies += guest.guest->receive().size();
        server_.service(guest.id);
    }
    replies += guest.guest->receive().size();
    EXPECT_GE(replies, static_cast<std::size_t>(sent));
}

TEST_F(XenstoreServerTest, ClosingAConnectionDropsItsWatches) {
    Client dom0 = connect(kDom0Caller);
    Client watcher = connect(kDom0Caller);
    expect_ok(watcher, MessageType::kWatch, strings_for_test({"/gone", "tok"}));
    watcher.memory->page.req_prod = watcher.memory->page.req_cons + kRingSize + 5;
    server_.service(watcher.id);
    EXPECT_EQ(server_.take_closed(), std::vector<ConnectionId>{watcher.id});
    expect_ok(dom0, MessageType::kWrite, write_payload("/gone", "1"));
}

}  // namespace
}  // namespace tern::dom0::xenstored
