// decode_trapped_tlbi: a TLBI trapped by HCR_EL2.TTLB becomes the local operation that covers
// it, from the syndrome (ISS) of the trap; anything else is not taken for a TLBI.
#include "arch/arm64/trapped_tlbi.hpp"

#include <gtest/gtest.h>

#include <cstdint>

namespace tern::arch {
namespace {

// The ISS of a trapped MSR/SYS with these fields (Arm ARM D17.2.37): op0 [21:20], op2 [19:17],
// op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], direction [0] (1: read).
constexpr std::uint64_t iss(std::uint64_t op0, std::uint64_t op1, std::uint64_t crn,
                            std::uint64_t crm, std::uint64_t op2, std::uint64_t rt,
                            bool read = false) {
    return (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | (rt << 5) | (crm << 1) |
           (read ? 1u : 0u);
}

// TLBI <op> is SYS #0, C8, C<crm>, #<op2>: op0 1, op1 0, CRn 8.
constexpr std::uint64_t tlbi(std::uint64_t crm, std::uint64_t op2, std::uint64_t rt = 31) {
    return iss(1, 0, 8, crm, op2, rt);
}

TEST(TrappedTlbi, LocalFormsMapToThemselves) {
    const struct {
        std::uint64_t op2;
        LocalTlbi op;
    } cases[] = {{0, LocalTlbi::vmalle1}, {1, LocalTlbi::vae1},  {2, LocalTlbi::aside1},
                 {3, LocalTlbi::vaae1},   {5, LocalTlbi::vale1}, {7, LocalTlbi::vaale1}};
    for (const auto& c : cases) {
        const auto t = decode_trapped_tlbi(tlbi(7, c.op2, 4));
        ASSERT_TRUE(t.has_value()) << c.op2;
        EXPECT_EQ(t->op, c.op) << c.op2;
        EXPECT_EQ(t->rt, 4u);
    }
}

TEST(TrappedTlbi, InnerAndOuterShareableFormsBecomeTheLocalOnes) {
    // What Linux issues: VAALE1IS (fixmap clears, kernel ranges), VAE1IS/VALE1IS, ASIDE1IS.
    EXPECT_EQ(decode_trapped_tlbi(tlbi(3, 7, 9))->op, LocalTlbi::vaale1);
    EXPECT_EQ(decode_trapped_tlbi(tlbi(3, 7, 9))->rt, 9u);
    EXPECT_EQ(decode_trapped_tlbi(tlbi(3, 1, 0))->op, LocalTlbi::vae1);
    EXPECT_EQ(decode_trapped_tlbi(tlbi(3, 5, 1))->op, LocalTlbi::vale1);
    EXPECT_EQ(decode_trapped_tlbi(tlbi(3, 2, 2))->op, LocalTlbi::aside1);
    EXPECT_EQ(decode_trapped_tlbi(tlbi(3, 3, 3))->op, LocalTlbi::vaae1);
    EXPECT_EQ(decode_trapped_tlbi(tlbi(3, 0))->op, LocalTlbi::vmalle1);  // VMALLE1IS
    EXPECT_EQ(decode_trapped_tlbi(tlbi(1, 0))->op, LocalTlbi::vmalle1);  // VMALLE1OS
    EXPECT_EQ(decode_trapped_tlbi(tlbi(1, 7, 5))->op, LocalTlbi::vaale1);
}

TEST(TrappedTlbi, RangeFormsInvalidateEverything) {
    for (std::uint64_t crm : {2u, 5u, 6u}) {
        for (std::uint64_t op2 : {1u, 3u, 5u, 7u}) {
            const auto t = decode_trapped_tlbi(tlbi(crm, op2, 6));
            ASSERT_TRUE(t.has_value()) << crm << " " << op2;
            EXPECT_EQ(t->op, LocalTlbi::vmalle1);
        }
        EXPECT_FALSE(decode_trapped_tlbi(tlbi(crm, 0)).has_value());  // no such TLBI
    }
}

TEST(TrappedTlbi, OtherEncodingsAreNotTlbis) {
    EXPECT_FALSE(decode_trapped_tlbi(tlbi(7, 4)).has_value());  // unallocated op2
    EXPECT_FALSE(decode_trapped_tlbi(tlbi(3, 6)).has_value());
    EXPECT_FALSE(decode_trapped_tlbi(tlbi(4, 0)).has_value());  // CRm with no EL1 TLBI
    EXPECT_FALSE(decode_trapped_tlbi(tlbi(0, 0)).has_value());
    EXPECT_FALSE(decode_trapped_tlbi(iss(1, 4, 8, 7, 0, 31)).has_value());  // ALLE2 (op1 4)
    EXPECT_FALSE(decode_trapped_tlbi(iss(1, 0, 7, 5, 0, 31)).has_value());  // IC IALLU (CRn 7)
    EXPECT_FALSE(decode_trapped_tlbi(iss(1, 0, 8, 7, 0, 31, true)).has_value());  // a read
    // ICC_SGI1R_EL1 (S3_0_C12_C11_5) and CNTP_CTL_EL0 (S3_3_C14_C2_1) stay theirs.
    EXPECT_FALSE(decode_trapped_tlbi(iss(3, 0, 12, 11, 5, 2)).has_value());
    EXPECT_FALSE(decode_trapped_tlbi(iss(3, 3, 14, 2, 1, 2)).has_value());
}

TEST(TrappedTlbi, DecodesAtCompileTime) {
    static_assert(decode_trapped_tlbi(tlbi(3, 7))->op == LocalTlbi::vaale1);
    static_assert(!decode_trapped_tlbi(tlbi(7, 6)).has_value());
}

}  // namespace
}  // namespace tern::arch
