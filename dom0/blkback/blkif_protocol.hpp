// Defines the block device ring's wire format, the layout of Xen's public io/blkif.h and
// io/ring.h in their native 64-bit form (the same on arm64 and x86-64, "arm-abi" on Arm): a
// shared page with a 64-byte header of free-running producer and event indices, then a
// power-of-two array of slots, each holding a request (from the guest) or a response (from
// dom0) in place of the request it answers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tern::dom0::blkback {

inline constexpr std::size_t kPageSize = 4096;
inline constexpr std::size_t kSectorSize = 512;
inline constexpr std::size_t kSectorsPerPage = kPageSize / kSectorSize;
inline constexpr std::size_t kMaxSegments = 11;  // BLKIF_MAX_SEGMENTS_PER_REQUEST

enum class BlkifOp : std::uint8_t {
    kRead = 0,
    kWrite = 1,
    kWriteBarrier = 2,
    kFlushDiskCache = 3,
    kDiscard = 5,
    kIndirect = 6,
};

enum class BlkifStatus : std::int16_t {
    kOkay = 0,
    kError = -1,
    kNotSupported = -2,
};

// The `info` bits of the backend's xenstore directory.
inline constexpr std::uint32_t kVdiskReadOnly = 0x4;

struct BlkifSegment {
    std::uint32_t gref;
    std::uint8_t first_sect;  // first sector of the page to transfer (inclusive)
    std::uint8_t last_sect;   // last one (inclusive)
    std::uint8_t pad[2];
};

struct BlkifRequest {
    std::uint8_t operation;
    std::uint8_t nr_segments;
    std::uint16_t handle;
    std::uint32_t pad;
    std::uint64_t id;  // the guest's, echoed in the response
    std::uint64_t sector_number;
    BlkifSegment seg[kMaxSegments];
};

struct BlkifResponse {
    std::uint64_t id;
    std::uint8_t operation;
    std::uint8_t pad;
    std::int16_t status;
    std::uint32_t pad2;
};

union BlkifSlot {
    BlkifRequest request;
    BlkifResponse response;
};

struct BlkifSharedRingHeader {
    std::uint32_t req_prod;
    std::uint32_t req_event;
    std::uint32_t rsp_prod;
    std::uint32_t rsp_event;
    std::uint8_t pad[48];
};

static_assert(sizeof(BlkifSegment) == 8);
static_assert(sizeof(BlkifRequest) == 112 && offsetof(BlkifRequest, id) == 8 &&
              offsetof(BlkifRequest, sector_number) == 16 && offsetof(BlkifRequest, seg) == 24);
static_assert(sizeof(BlkifResponse) == 16 && offsetof(BlkifResponse, status) == 10);
static_assert(sizeof(BlkifSlot) == 112);
static_assert(sizeof(BlkifSharedRingHeader) == 64);

// Slots in a ring of `pages` pages: the largest power of two that fits after the header
// (32 for one page).
constexpr std::uint32_t ring_slots(std::size_t pages) {
    std::size_t fit = (pages * kPageSize - sizeof(BlkifSharedRingHeader)) / sizeof(BlkifSlot);
    std::uint32_t slots = 1;
    while (slots * 2 <= fit)
        slots *= 2;
    return slots;
}
static_assert(ring_slots(1) == 32);

}  // namespace tern::dom0::blkback
