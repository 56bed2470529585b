// RingTransport over plain memory: index arithmetic across the wrap of the 1024-byte rings and
// of the 32-bit indexes, partial reads and writes, and broken indexes.
#include <gtest/gtest.h>

#include "memory_ring_for_test.hpp"

namespace tern::dom0::xenstored {
namespace {

class RingTransportTest : public ::testing::Test {
  protected:
    std::shared_ptr<SharedMemory_for_test> memory_ = std::make_shared<SharedMemory_for_test>();
    std::unique_ptr<RingTransport> ring_ = make_memory_ring_for_test(memory_);
    GuestEnd_for_test guest_{memory_};
};

TEST_F(RingTransportTest, AnnouncesFeaturesAndConnectedStateAndNotifiesOnce) {
    EXPECT_EQ(memory_->page.server_features, kServerFeatureError);
    EXPECT_EQ(memory_->page.connection, kConnectionConnected);
    EXPECT_EQ(memory_->page.error, kRingErrorNone);
    EXPECT_EQ(memory_->notifications_to_guest, 1);
}

TEST_F(RingTransportTest, ReadsWhatTheGuestProducedAndNotifies) {
    guest_.put_request_bytes("hello");
    char buffer[16];
    const auto result = ring_->read(buffer);
    EXPECT_FALSE(result.closed);
    ASSERT_EQ(result.bytes, 5U);
    EXPECT_EQ(std::string(buffer, 5), "hello");
    EXPECT_EQ(memory_->page.req_cons, 5U);
    EXPECT_EQ(memory_->notifications_to_guest, 2);
    EXPECT_EQ(ring_->read(buffer).bytes, 0U);
    EXPECT_EQ(memory_->notifications_to_guest, 2);
}

TEST_F(RingTransportTest, ReadsAcrossTheEndOfTheRing) {
    memory_->page.req_cons = memory_->page.req_prod = kRingSize - 3;
    guest_.put_request_bytes("abcdefg");
    char buffer[16];
    const auto result = ring_->read(buffer);
    ASSERT_EQ(result.bytes, 7U);
    EXPECT_EQ(std::string(buffer, 7), "abcdefg");
    EXPECT_EQ(memory_->page.req[kRingSize - 1], 'c');
    EXPECT_EQ(memory_->page.req[0], 'd');
}

TEST_F(RingTransportTest, IndexesWrapAroundThirtyTwoBits) {
    memory_->page.req_cons = memory_->page.req_prod = 0xfffffffeU;
    guest_.put_request_bytes("wxyz");
    EXPECT_EQ(memory_->page.req_prod, 2U);
    char buffer[8];
    ASSERT_EQ(ring_->read(buffer).bytes, 4U);
    EXPECT_EQ(std::string(buffer, 4), "wxyz");
    EXPECT_EQ(memory_->page.req_cons, 2U);

    memory_->page.rsp_cons = memory_->page.rsp_prod = 0xfffffffdU;
    const std::string reply = "12345";
    ASSERT_EQ(ring_->write(std::span(reply.data(), reply.size())).bytes, 5U);
    EXPECT_EQ(memory_->page.rsp_prod, 2U);
    EXPECT_EQ(guest_.take_response_bytes(), "12345");
}

TEST_F(RingTransportTest, PartialReadLeavesTheRestInTheRing) {
    guest_.put_request_bytes("0123456789");
    char buffer[4];
    ASSERT_EQ(ring_->read(buffer).bytes, 4U);
    EXPECT_EQ(std::string(buffer, 4), "0123");
    ASSERT_EQ(ring_->read(buffer).bytes, 4U);
    EXPECT_EQ(std::string(buffer, 4), "4567");
    ASSERT_EQ(ring_->read(buffer).bytes, 2U);
    EXPECT_EQ(std::string(buffer, 2), "89");
}

TEST_F(RingTransportTest, WriteStopsWhenTheResponseRingIsFull) {
    const std::string big(kRingSize + 100, 'x');
    const auto first = ring_->write(std::span(big.data(), big.size()));
    EXPECT_EQ(first.bytes, kRingSize);
    EXPECT_EQ(ring_->write(std::span(big.data(), big.size())).bytes, 0U);
    EXPECT_EQ(guest_.take_response_bytes().size(), kRingSize);
    EXPECT_EQ(ring_->write(std::span(big.data() + first.bytes, 100)).bytes, 100U);
    EXPECT_EQ(guest_.take_response_bytes(), std::string(100, 'x'));
}

TEST_F(RingTransportTest, ImpossibleRequestIndexesCloseTheConnection) {
    memory_->page.req_cons = 0;
    memory_->page.req_prod = kRingSize + 1;
    char buffer[8];
    EXPECT_TRUE(ring_->read(buffer).closed);
    EXPECT_EQ(memory_->page.error, kRingErrorRingIndex);
}

TEST_F(RingTransportTest, ImpossibleResponseIndexesCloseTheConnection) {
    memory_->page.rsp_cons = 10;
    memory_->page.rsp_prod = 5;
    const std::string reply = "x";
    EXPECT_TRUE(ring_->write(std::span(reply.data(), 1)).closed);
    EXPECT_EQ(memory_->page.error, kRingErrorRingIndex);
}

}  // namespace
}  // namespace tern::dom0::xenstored
