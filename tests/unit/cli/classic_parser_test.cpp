// The classic config parser: the Python literals it accepts and where it reports mistakes.
#include "config/classic_parser.hpp"

#include <gtest/gtest.h>

namespace tern::cli {
namespace {

std::vector<Assignment> parse_ok(std::string_view text) {
    auto result = parse_classic_config(text, "t.cfg");
    EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().to_string());
    return result.ok() ? result.value() : std::vector<Assignment>{};
}

std::string parse_error(std::string_view text) {
    auto result = parse_classic_config(text, "t.cfg");
    EXPECT_FALSE(result.ok());
    return result.ok() ? "" : result.error().to_string();
}

TEST(ClassicParser, ReadsStringsIntsBooleansNoneAndLists) {
    auto settings = parse_ok(
        "# comment\n"
        "name = \"vm1\"  # trailing comment\n"
        "kernel = '/boot/k'\n"
        "memory = 256; vcpus = 0x2\n"
        "shadow = -1\n"
        "flag = True\n"
        "nothing = None\n"
        "disk = [ 'phy:/dev/a,xvda,w',\n"
        "         \"file:/b,xvdb,r\", ]\n"
        "cpus = (1, 2)\n");
    ASSERT_EQ(settings.size(), 9u);
    EXPECT_EQ(settings[0].key, "name");
    EXPECT_EQ(settings[0].value.as_string(), "vm1");
    EXPECT_EQ(settings[1].value.as_string(), "/boot/k");
    EXPECT_EQ(settings[2].value.as_int(), 256);
    EXPECT_EQ(settings[3].value.as_int(), 2);
    EXPECT_EQ(settings[4].value.as_int(), -1);
    EXPECT_TRUE(settings[5].value.as_bool());
    EXPECT_TRUE(settings[6].value.is_none());
    ASSERT_EQ(settings[7].value.as_list().size(), 2u);
    EXPECT_EQ(settings[7].value.as_list()[1].as_string(), "file:/b,xvdb,r");
    EXPECT_EQ(settings[8].value.as_list()[1].as_int(), 2);
}

TEST(ClassicParser, HandlesEscapesConcatenationAndTripleQuotes) {
    auto settings = parse_ok(
        "extra = 'a\\'b' \"c\\n\"\n"
        "raw = r'\\d'\n"
        "long = '''x\ny'''\n");
    EXPECT_EQ(settings[0].value.as_string(), "a'bc\n");
    EXPECT_EQ(settings[1].value.as_string(), "\\d");
    EXPECT_EQ(settings[2].value.as_string(), "x\ny");
}

TEST(ClassicParser, RecordsPositions) {
    auto settings = parse_ok("\n  memory   =   64\n");
    EXPECT_EQ(settings[0].key_where.line, 2);
    EXPECT_EQ(settings[0].key_where.column, 3);
    EXPECT_EQ(settings[0].value.where.column, 16);
}

TEST(ClassicParser, ReportsWhatWasExpectedAndWhere) {
    EXPECT_EQ(parse_error("name = vm1\n"),
              "t.cfg:1:8: expected a value (a quoted string, a number, a list, True, False or "
              "None), found 'vm1' (strings need quotes)");
    EXPECT_EQ(parse_error("memory 64\n"), "t.cfg:1:8: expected '=' after 'memory', found '64'");
    EXPECT_EQ(parse_error("name = 'abc\n"),
              "t.cfg:1:8: unterminated string: expected a closing ' before the end of line");
    EXPECT_EQ(parse_error("disk = ['a' 'b' 3]\n"),
              "t.cfg:1:17: expected ',' or ']' in the list, found '3'");
    EXPECT_EQ(parse_error("disk = [\n'a',\n"),
              "t.cfg:1:8: unclosed '[': expected ']' before the end of file");
    EXPECT_EQ(parse_error("memory = 64MB\n"),
              "t.cfg:1:12: expected a whole number, found 'MB' inside it (numbers are whole MiB, "
              "counts or ids)");
    EXPECT_EQ(parse_error("a = 1 2\n"),
              "t.cfg:1:7: expected end of line after the value of 'a', found '2'");
    EXPECT_EQ(parse_error("= 3\n"), "t.cfg:1:1: expected a setting name, found '='");
    EXPECT_EQ(parse_error("x == 3\n"), "t.cfg:1:3: expected '=' after 'x', found '='");
}

TEST(ClassicParser, ParsesASingleValue) {
    auto value = parse_python_value("['a', 1]", "arg");
    ASSERT_TRUE(value.ok());
    EXPECT_EQ(value.value().repr(), "['a', 1]");
    EXPECT_FALSE(parse_python_value("vm1", "arg").ok());
}

}  // namespace
}  // namespace tern::cli
