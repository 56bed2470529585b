// The block ring's layout, checked against Debian's libxen-dev (xen/io/blkif.h and
// xen/io/ring.h, whose native 64-bit layout on x86-64 is the one arm64 guests use).
#include <cstddef>
#include <cstdint>

// clang-format off
#include <xen/xen.h>
#include <xen/io/blkif.h>
// clang-format on

#include <gtest/gtest.h>

#include "dom0/blkback/blkif_protocol.hpp"

namespace tern::dom0::blkback {
namespace {

static_assert(sizeof(BlkifRequest) == sizeof(::blkif_request));
static_assert(offsetof(BlkifRequest, operation) == offsetof(::blkif_request, operation));
static_assert(offsetof(BlkifRequest, nr_segments) == offsetof(::blkif_request, nr_segments));
static_assert(offsetof(BlkifRequest, handle) == offsetof(::blkif_request, handle));
static_assert(offsetof(BlkifRequest, id) == offsetof(::blkif_request, id));
static_assert(offsetof(BlkifRequest, sector_number) == offsetof(::blkif_request, sector_number));
static_assert(offsetof(BlkifRequest, seg) == offsetof(::blkif_request, seg));
static_assert(sizeof(BlkifSegment) == sizeof(::blkif_request_segment));
static_assert(offsetof(BlkifSegment, first_sect) == offsetof(::blkif_request_segment, first_sect));
static_assert(offsetof(BlkifSegment, last_sect) == offsetof(::blkif_request_segment, last_sect));
static_assert(sizeof(BlkifResponse) == sizeof(::blkif_response));
static_assert(offsetof(BlkifResponse, id) == offsetof(::blkif_response, id));
static_assert(offsetof(BlkifResponse, operation) == offsetof(::blkif_response, operation));
static_assert(offsetof(BlkifResponse, status) == offsetof(::blkif_response, status));
static_assert(sizeof(BlkifSlot) == sizeof(::blkif_sring_entry));
static_assert(offsetof(::blkif_sring, ring) == sizeof(BlkifSharedRingHeader));
static_assert(kMaxSegments == BLKIF_MAX_SEGMENTS_PER_REQUEST);
static_assert(kVdiskReadOnly == VDISK_READONLY);

TEST(BlkifAbi, NumbersMatchXens) {
    EXPECT_EQ(static_cast<int>(BlkifOp::kRead), BLKIF_OP_READ);
    EXPECT_EQ(static_cast<int>(BlkifOp::kWrite), BLKIF_OP_WRITE);
    EXPECT_EQ(static_cast<int>(BlkifOp::kWriteBarrier), BLKIF_OP_WRITE_BARRIER);
    EXPECT_EQ(static_cast<int>(BlkifOp::kFlushDiskCache), BLKIF_OP_FLUSH_DISKCACHE);
    EXPECT_EQ(static_cast<int>(BlkifOp::kDiscard), BLKIF_OP_DISCARD);
    EXPECT_EQ(static_cast<int>(BlkifOp::kIndirect), BLKIF_OP_INDIRECT);
    EXPECT_EQ(static_cast<int>(BlkifStatus::kOkay), BLKIF_RSP_OKAY);
    EXPECT_EQ(static_cast<int>(BlkifStatus::kError), BLKIF_RSP_ERROR);
    EXPECT_EQ(static_cast<int>(BlkifStatus::kNotSupported), BLKIF_RSP_EOPNOTSUPP);
    // __CONST_RING_SIZE(blkif, 4096): the slots of a one-page ring.
    EXPECT_EQ(ring_slots(1), __CONST_RING_SIZE(blkif, 4096));
}

}  // namespace
}  // namespace tern::dom0::blkback
