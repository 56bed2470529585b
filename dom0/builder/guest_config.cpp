#include "dom0/builder/guest_config.hpp"

#include <cctype>
#include <set>

namespace tern::dom0 {

namespace {

class Parser {
  public:
    Parser(const std::string& text, const std::string& file) : text_(text), file_(file) {}

    GuestConfig parse() {
        GuestConfig config;
        std::set<std::string> seen;
        for (;;) {
            skip_blank_lines();
            if (at_end())
                break;
            const std::size_t key_line = line_, key_column = column();
            const std::string key = identifier();
            if (!seen.insert(key).second)
                fail(key_line, key_column, "'" + key + "' is set twice");
            skip_spaces();
            expect('=');
            skip_spaces();
            if (key == "name")
                config.name = string_value();
            else if (key == "kernel")
                config.kernel = string_value();
            else if (key == "ramdisk")
                config.ramdisk = string_value();
            else if (key == "extra")
                config.extra = string_value();
            else if (key == "memory")
                config.memory_mib = number_value(1, 3072, "memory in MiB");
            else if (key == "vcpus")
                config.vcpus = static_cast<std::uint32_t>(number_value(1, 8, "vcpus"));
            else if (key == "disk")
                config.disks = disk_list();
            else if (key == "vif")
                config.vifs = vif_list();
            else
                fail(key_line, key_column,
                     "unknown key '" + key +
                         "' (expected name, kernel, ramdisk, extra, memory, vcpus, disk or vif)");
            end_of_line();
        }
        if (config.kernel.empty())
            fail(line_, column(), "'kernel' is required");
        if (config.memory_mib == 0)
            fail(line_, column(), "'memory' is required");
        return config;
    }

  private:
    bool at_end() const { return pos_ >= text_.size(); }
    char peek() const { return at_end() ? '\0' : text_[pos_]; }
    std::size_t column() const { return pos_ - line_start_ + 1; }

    [[noreturn]] void fail(std::size_t line, std::size_t col, const std::string& what) const {
        throw ConfigError(file_ + ":" + std::to_string(line) + ":" + std::to_string(col) + ": " +
                          what);
    }
    [[noreturn]] void fail_here(const std::string& what) const { fail(line_, column(), what); }

    void advance() {
        if (peek() == '\n') {
            ++line_;
            line_start_ = pos_ + 1;
        }
        ++pos_;
    }
    void skip_spaces() {
        while (peek() == ' ' || peek() == '\t')
            advance();
    }
    void skip_comment() {
        if (peek() == '#') {
            while (!at_end() && peek() != '\n')
                advance();
        }
    }
    void skip_blank_lines() {
        for (;;) {
            skip_spaces();
            skip_comment();
            if (peek() == '\n' || peek() == '\r')
                advance();
            else
                return;
        }
    }
    void expect(char c) {
        if (peek() != c)
            fail_here(std::string("expected '") + c + "'");
        advance();
    }
    void end_of_line() {
        skip_spaces();
        skip_comment();
        if (peek() == '\r')
            advance();
        if (!at_end() && peek() != '\n')
            fail_here("unexpected text after the value");
    }
    std::string identifier() {
        std::string id;
        while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_') {
            id += peek();
            advance();
        }
        if (id.empty())
            fail_here("expected a key");
        return id;
    }
    std::string string_value() {
        if (peek() != '"')
            fail_here("expected a double-quoted string");
        advance();
        std::string value;
        while (peek() != '"') {
            if (at_end() || peek() == '\n')
                fail_here("unterminated string");
            value += peek();
            advance();
        }
        advance();
        return value;
    }
    // [ "spec", "spec" ]: each a DiskSpec; no virtual device twice.
    std::vector<DiskSpec> disk_list() {
        std::vector<DiskSpec> disks;
        expect('[');
        skip_blank_lines();
        while (peek() != ']') {
            const std::size_t line = line_, col = column();
            const std::string text = string_value();
            try {
                disks.push_back(parse_disk_spec(text));
            } catch (const std::invalid_argument& e) {
                fail(line, col, e.what());
            }
            for (std::size_t i = 0; i + 1 < disks.size(); ++i) {
                if (disks[i].vdev == disks.back().vdev)
                    fail(line, col, "virtual device '" + disks.back().vdev + "' is used twice");
            }
            skip_blank_lines();
            if (peek() == ',') {
                advance();
                skip_blank_lines();
            } else if (peek() != ']') {
                fail_here("expected ',' or ']' in the disk list");
            }
        }
        advance();
        return disks;
    }
    // [ "spec", "spec" ]: each a VifSpec, its handle its index.
    std::vector<VifSpec> vif_list() {
        std::vector<VifSpec> vifs;
        expect('[');
        skip_blank_lines();
        while (peek() != ']') {
            const std::size_t line = line_, col = column();
            const std::string text = string_value();
            try {
                vifs.push_back(parse_vif_spec(text, static_cast<std::uint32_t>(vifs.size())));
            } catch (const std::invalid_argument& e) {
                fail(line, col, e.what());
            }
            skip_blank_lines();
            if (peek() == ',') {
                advance();
                skip_blank_lines();
            } else if (peek() != ']') {
                fail_here("expected ',' or ']' in the vif list");
            }
        }
        advance();
        return vifs;
    }
    std::uint64_t number_value(std::uint64_t low, std::uint64_t high, const char* what) {
        const std::size_t col = column();
        std::uint64_t value = 0;
        std::size_t digits = 0;
        while (std::isdigit(static_cast<unsigned char>(peek()))) {
            value = value * 10 + static_cast<std::uint64_t>(peek() - '0');
            if (value > high)
                fail(line_, col, std::string(what) + " must be at most " + std::to_string(high));
            ++digits;
            advance();
        }
        if (digits == 0)
            fail(line_, col, std::string("expected a number (") + what + ")");
        if (value < low)
            fail(line_, col, std::string(what) + " must be at least " + std::to_string(low));
        return value;
    }

    const std::string& text_;
    const std::string& file_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    std::size_t line_start_ = 0;
};

}  // namespace

GuestConfig parse_guest_config(const std::string& text, const std::string& file) {
    return Parser(text, file).parse();
}

}  // namespace tern::dom0
