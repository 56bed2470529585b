// The console ring copies on a plain buffer: a guest's writes and a person's input, wrapping
// around the ring's end and the 32-bit indices, full rings, and impossible indices.
#include "dom0/consoled/console_ring.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tern::dom0::consoled {
namespace {

// Plays the guest's side: writes `text` into the out ring as Linux's hvc_xen does.
void guest_writes(ConsoleInterface& ring, const std::string& text) {
    for (char c : text)
        ring.out[ring.out_prod++ & (kOutRingSize - 1)] = c;
}

// Plays the guest's side: reads what the in ring holds.
std::string guest_reads(ConsoleInterface& ring) {
    std::string text;
    while (ring.in_cons != ring.in_prod)
        text.push_back(ring.in[ring.in_cons++ & (kInRingSize - 1)]);
    return text;
}

TEST(ConsoleRing, EmptyRingGivesNothing) {
    ConsoleInterface ring{};
    std::string out;
    const RingCopy copy = drain_output(ring, out);
    EXPECT_EQ(copy.bytes, 0u);
    EXPECT_FALSE(copy.bad_indices);
    EXPECT_TRUE(out.empty());
}

TEST(ConsoleRing, DrainsWhatTheGuestWroteAndAdvancesOutCons) {
    ConsoleInterface ring{};
    guest_writes(ring, "Booting Linux\n");
    std::string out = "before:";
    const RingCopy copy = drain_output(ring, out);
    EXPECT_EQ(copy.bytes, 14u);
    EXPECT_EQ(out, "before:Booting Linux\n");
    EXPECT_EQ(ring.out_cons, ring.out_prod);
    out.clear();
    EXPECT_EQ(drain_output(ring, out).bytes, 0u);
}

TEST(ConsoleRing, OutputWrapsAroundTheRingsEnd) {
    ConsoleInterface ring{};
    ring.out_cons = ring.out_prod = kOutRingSize - 3;
    guest_writes(ring, "abcdefgh");
    std::string out;
    EXPECT_EQ(drain_output(ring, out).bytes, 8u);
    EXPECT_EQ(out, "abcdefgh");
    EXPECT_EQ(ring.out[0], 'd');  // it did wrap
}

TEST(ConsoleRing, OutputWrapsAroundTheIndicesEnd) {
    ConsoleInterface ring{};
    ring.out_cons = ring.out_prod = 0xfffffffeu;
    guest_writes(ring, "wrap!");
    EXPECT_EQ(ring.out_prod, 3u);
    std::string out;
    const RingCopy copy = drain_output(ring, out);
    EXPECT_FALSE(copy.bad_indices);
    EXPECT_EQ(out, "wrap!");
    EXPECT_EQ(ring.out_cons, 3u);
}

TEST(ConsoleRing, AFullOutRingIsDrainedWhole) {
    ConsoleInterface ring{};
    std::string text;
    for (std::size_t i = 0; i < kOutRingSize; ++i)
        text.push_back(static_cast<char>('a' + i % 26));
    ring.out_cons = ring.out_prod = 100;
    guest_writes(ring, text);
    std::string out;
    const RingCopy copy = drain_output(ring, out);
    EXPECT_FALSE(copy.bad_indices);
    EXPECT_EQ(copy.bytes, kOutRingSize);
    EXPECT_EQ(out, text);
}

TEST(ConsoleRing, ImpossibleOutIndicesAreDroppedAndReset) {
    ConsoleInterface ring{};
    ring.out_cons = 10;
    ring.out_prod = 10 + kOutRingSize + 1;  // more than the ring holds
    std::string out;
    RingCopy copy = drain_output(ring, out);
    EXPECT_TRUE(copy.bad_indices);
    EXPECT_EQ(copy.bytes, 0u);
    EXPECT_EQ(copy.cons, 10u);
    EXPECT_EQ(copy.prod, 10 + kOutRingSize + 1);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(ring.out_cons, ring.out_prod);
    // Behind its consumer: just as impossible.
    ring.out_cons = 50;
    ring.out_prod = 49;
    copy = drain_output(ring, out);
    EXPECT_TRUE(copy.bad_indices);
    EXPECT_EQ(ring.out_cons, 49u);
    // And the ring works again afterwards.
    guest_writes(ring, "ok");
    copy = drain_output(ring, out);
    EXPECT_FALSE(copy.bad_indices);
    EXPECT_EQ(out, "ok");
}

TEST(ConsoleRing, InputGoesIntoTheInRing) {
    ConsoleInterface ring{};
    const std::string typed = "ls /\n";
    const RingCopy copy = fill_input(ring, typed);
    EXPECT_EQ(copy.bytes, typed.size());
    EXPECT_EQ(guest_reads(ring), typed);
}

TEST(ConsoleRing, InputStopsWhenTheInRingIsFull) {
    ConsoleInterface ring{};
    ring.in_cons = ring.in_prod = 0xfffffff0u;  // across the indices' end too
    const std::string typed(kInRingSize + 100, 'x');
    RingCopy copy = fill_input(ring, typed);
    EXPECT_EQ(copy.bytes, kInRingSize);
    EXPECT_EQ(ring.in_prod - ring.in_cons, kInRingSize);
    EXPECT_EQ(fill_input(ring, "more").bytes, 0u);  // full: nothing more goes in
    EXPECT_EQ(guest_reads(ring).size(), kInRingSize);
    copy = fill_input(ring, "more");
    EXPECT_EQ(copy.bytes, 4u);
    EXPECT_EQ(guest_reads(ring), "more");
}

TEST(ConsoleRing, ImpossibleInIndicesAreReset) {
    ConsoleInterface ring{};
    ring.in_cons = 5000;  // the guest claims to have read more than was ever written
    ring.in_prod = 7;
    RingCopy copy = fill_input(ring, "x");
    EXPECT_TRUE(copy.bad_indices);
    EXPECT_EQ(copy.bytes, 0u);
    EXPECT_EQ(ring.in_prod, 5000u);
    copy = fill_input(ring, "y");
    EXPECT_FALSE(copy.bad_indices);
    EXPECT_EQ(guest_reads(ring), "y");
}

}  // namespace
}  // namespace tern::dom0::consoled
