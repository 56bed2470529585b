// Tests of the hypervisor's formatted writer.
#include "lib/format.hpp"

#include <gtest/gtest.h>

namespace tern::lib {
namespace {

TEST(Format, NumbersAndSizes) {
    char buf[256];
    BufferSink sink(buf, sizeof buf);
    Out out(sink);
    out << "a " << std::uint64_t{0} << " " << std::uint64_t{18446744073709551615ull} << " " << -5
        << " " << Hex{0x40200000} << " " << Hex{0} << " " << Bytes{2ull << 30} << " " << Bytes{1536}
        << " " << Bytes{3072} << " " << Bytes{4097};
    EXPECT_EQ(sink.text(), "a 0 18446744073709551615 -5 0x40200000 0x0 2 GiB 1536 B 3 KiB 4097 B");
}

TEST(Format, ABufferSinkNeverOverflows) {
    char buf[4];
    BufferSink sink(buf, sizeof buf);
    Out(sink) << "overflowing";
    EXPECT_EQ(sink.text(), "over");
}

}  // namespace
}  // namespace tern::lib
