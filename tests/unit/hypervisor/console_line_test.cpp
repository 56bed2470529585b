// ConsoleLine: a domain's console_io output goes out a whole line at a time behind its
// "(d<id>) " prefix, however the guest cut it into writes.
#include "common/console_line.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tern::hv {
namespace {

struct Lines final : lib::Sink {
    void write(std::string_view text) override { writes.emplace_back(text); }
    std::vector<std::string> writes;
};

TEST(ConsoleLine, KeepsPiecesUntilTheLineEnds) {
    ConsoleLine line(7);
    Lines out;
    line.write("hello ", out);
    line.write("from a", out);
    EXPECT_TRUE(out.writes.empty());
    line.write(" domU\nsecond", out);
    ASSERT_EQ(out.writes.size(), 1u);
    EXPECT_EQ(out.writes[0], "(d7) hello from a domU\n");
    line.write("\r\n", out);  // carriage returns are dropped
    ASSERT_EQ(out.writes.size(), 2u);
    EXPECT_EQ(out.writes[1], "(d7) second\n");
}

TEST(ConsoleLine, ALongLineIsNotCutEvery120Bytes) {
    ConsoleLine line(3);
    Lines out;
    const std::string long_line(200, 'x');
    for (std::size_t i = 0; i < long_line.size(); i += 120)
        line.write(std::string_view(long_line).substr(i, 120), out);
    line.write("\n", out);
    ASSERT_EQ(out.writes.size(), 1u);
    EXPECT_EQ(out.writes[0], "(d3) " + long_line + "\n");
}

TEST(ConsoleLine, ALineLongerThanTheBufferGoesOutInPieces) {
    ConsoleLine line(1);
    Lines out;
    line.write(std::string(ConsoleLine::kSize + 10, 'y') + "\n", out);
    ASSERT_EQ(out.writes.size(), 2u);
    EXPECT_EQ(out.writes[0], "(d1) " + std::string(ConsoleLine::kSize, 'y') + "\n");
    EXPECT_EQ(out.writes[1], "(d1) " + std::string(10, 'y') + "\n");
}

TEST(ConsoleLine, AnEmptyLineStaysALine) {
    ConsoleLine line(2);
    Lines out;
    line.write("\n", out);
    ASSERT_EQ(out.writes.size(), 1u);
    EXPECT_EQ(out.writes[0], "(d2) \n");
}

}  // namespace
}  // namespace tern::hv
