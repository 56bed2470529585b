// The console page layout tern-consoled uses, checked against Debian's libxen-dev
// (xen/io/console.h, struct xencons_interface).
#include <cstddef>
#include <cstdint>

// clang-format off
#include <xen/xen.h>
#include <xen/io/console.h>
// clang-format on

#include <gtest/gtest.h>

#include "dom0/consoled/console_ring.hpp"

namespace tern::dom0::consoled {
namespace {

using XenRing = ::xencons_interface;

static_assert(sizeof(ConsoleInterface) == sizeof(XenRing));
static_assert(offsetof(ConsoleInterface, in) == offsetof(XenRing, in));
static_assert(offsetof(ConsoleInterface, out) == offsetof(XenRing, out));
static_assert(offsetof(ConsoleInterface, in_cons) == offsetof(XenRing, in_cons));
static_assert(offsetof(ConsoleInterface, in_prod) == offsetof(XenRing, in_prod));
static_assert(offsetof(ConsoleInterface, out_cons) == offsetof(XenRing, out_cons));
static_assert(offsetof(ConsoleInterface, out_prod) == offsetof(XenRing, out_prod));
static_assert(kInRingSize == sizeof(XenRing::in) && kOutRingSize == sizeof(XenRing::out));
static_assert(sizeof(XENCONS_RING_IDX) == sizeof(std::uint32_t));

TEST(ConsoleAbi, SlotsMaskLikeXens) {
    XenRing ring{};
    for (std::uint32_t index : {0u, 5u, 2047u, 2048u, 0xffffffffu})
        EXPECT_EQ(MASK_XENCONS_IDX(index, ring.out), index & (kOutRingSize - 1));
    EXPECT_EQ(MASK_XENCONS_IDX(1030u, ring.in), 1030u & (kInRingSize - 1));
}

}  // namespace
}  // namespace tern::dom0::consoled
