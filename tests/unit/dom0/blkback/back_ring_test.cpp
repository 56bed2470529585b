// The block ring's back end over a plain page, with the test playing the guest's front end:
// requests are taken in order and copied out, responses land in the right slots, notification
// follows rsp_event, req_event is armed when the ring runs dry, and a guest that claims more
// requests than the ring holds breaks the ring instead of making dom0 read stale slots.
#include "dom0/blkback/back_ring.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace tern::dom0::blkback {
namespace {

struct FrontForTest {
    alignas(kPageSize) std::uint8_t page[kPageSize] = {};
    std::uint32_t req_prod_pvt = 0;

    BlkifSharedRingHeader& header() { return *reinterpret_cast<BlkifSharedRingHeader*>(page); }
    BlkifSlot& slot(std::uint32_t i) {
        return reinterpret_cast<BlkifSlot*>(page + sizeof(BlkifSharedRingHeader))[i % 32];
    }
    FrontForTest() {
        header().req_event = 1;  // SHARED_RING_INIT
        header().rsp_event = 1;
    }
    void push(std::uint64_t id, BlkifOp op = BlkifOp::kRead) {
        BlkifRequest& r = slot(req_prod_pvt).request;
        std::memset(&r, 0, sizeof r);
        r.id = id;
        r.operation = static_cast<std::uint8_t>(op);
        ++req_prod_pvt;
        header().req_prod = req_prod_pvt;
    }
};

BlkifResponse okay(const BlkifRequest& r) {
    return BlkifResponse{r.id, r.operation, 0, 0, 0};
}

TEST(BackRing, OnePageHoldsThirtyTwoSlots) {
    FrontForTest front;
    BackRing ring(front.page, 1);
    EXPECT_EQ(ring.slots(), 32u);
    EXPECT_FALSE(ring.take_request());
}

TEST(BackRing, TakesRequestsInOrderAndAnswersInTheirSlots) {
    FrontForTest front;
    BackRing ring(front.page, 1);
    for (std::uint64_t id = 100; id < 105; ++id)
        front.push(id);
    for (std::uint64_t id = 100; id < 105; ++id) {
        auto r = ring.take_request();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->id, id);
        ring.put_response(okay(*r));
    }
    EXPECT_FALSE(ring.take_request());
    EXPECT_EQ(front.header().rsp_prod, 0u);  // nothing visible before publish
    EXPECT_TRUE(ring.publish());             // rsp_event 1 is inside (0, 5]
    EXPECT_EQ(front.header().rsp_prod, 5u);
    for (std::uint32_t i = 0; i < 5; ++i)
        EXPECT_EQ(front.slot(i).response.id, 100 + i);
}

TEST(BackRing, NotifiesOnlyWhenTheGuestAskedForIt) {
    FrontForTest front;
    BackRing ring(front.page, 1);
    front.push(1);
    ring.put_response(okay(*ring.take_request()));
    EXPECT_TRUE(ring.publish());
    // The guest now wants to hear only once response 10 is there.
    front.header().rsp_event = 10;
    front.push(2);
    ring.put_response(okay(*ring.take_request()));
    EXPECT_FALSE(ring.publish());
}

TEST(BackRing, FinalCheckArmsReqEventAndSeesLateRequests) {
    FrontForTest front;
    BackRing ring(front.page, 1);
    front.push(1);
    ring.put_response(okay(*ring.take_request()));
    EXPECT_FALSE(ring.final_check_for_requests());
    EXPECT_EQ(front.header().req_event, 2u);  // tell us about the next one
    front.push(2);
    EXPECT_TRUE(ring.final_check_for_requests());
    EXPECT_EQ(ring.take_request()->id, 2u);
}

TEST(BackRing, WrapsAroundTheIndexSpace) {
    FrontForTest front;
    const std::uint32_t start = 0xffffffffu - 3;
    front.header().req_prod = front.header().rsp_prod = start;
    front.req_prod_pvt = start;
    BackRing ring(front.page, 1);
    for (std::uint64_t id = 0; id < 8; ++id)
        front.push(id);
    for (std::uint64_t id = 0; id < 8; ++id) {
        auto r = ring.take_request();
        ASSERT_TRUE(r);
        EXPECT_EQ(r->id, id);
        ring.put_response(okay(*r));
    }
    ring.publish();
    EXPECT_EQ(front.header().rsp_prod, start + 8);
}

TEST(BackRing, ARequestIsCopiedOutBeforeItIsUsed) {
    FrontForTest front;
    BackRing ring(front.page, 1);
    front.push(7);
    auto r = ring.take_request();
    front.slot(0).request.id = 999;  // the guest scribbles on the slot afterwards
    EXPECT_EQ(r->id, 7u);
}

TEST(BackRing, MoreRequestsThanSlotsBreakTheRing) {
    FrontForTest front;
    BackRing ring(front.page, 1);
    front.header().req_prod = 33;
    EXPECT_FALSE(ring.take_request());
    EXPECT_TRUE(ring.broken());
    front.header().req_prod = 1;  // too late: a broken ring stays broken
    EXPECT_FALSE(ring.take_request());
    EXPECT_FALSE(ring.final_check_for_requests());
}

TEST(BackRing, AFullRingIsServedWhole) {
    FrontForTest front;
    BackRing ring(front.page, 1);
    for (std::uint64_t id = 0; id < 32; ++id)
        front.push(id);
    int taken = 0;
    while (auto r = ring.take_request()) {
        ring.put_response(okay(*r));
        ++taken;
    }
    EXPECT_EQ(taken, 32);
    EXPECT_FALSE(ring.broken());
}

}  // namespace
}  // namespace tern::dom0::blkback
