// A recursive-descent parser over the characters of a classic config file, tracking line and
// column as it goes.
#include "config/classic_parser.hpp"

#include <cctype>
#include <optional>

namespace tern::cli {
namespace {

bool is_name_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}
bool is_name_char(char c) {
    return is_name_start(c) || std::isdigit(static_cast<unsigned char>(c));
}

// How a character reads in an error message.
std::string describe(std::string_view text, std::size_t at) {
    if (at >= text.size()) {
        return "end of file";
    }
    char c = text[at];
    if (c == '\n') {
        return "end of line";
    }
    if (is_name_char(c)) {
        std::size_t end = at;
        while (end < text.size() && is_name_char(text[end])) {
            ++end;
        }
        return "'" + std::string(text.substr(at, end - at)) + "'";
    }
    return "'" + std::string(1, c) + "'";
}

// Builds the optional in place: GCC 12 with the sanitizers warns about a moved-from variant
// (maybe-uninitialized) when a temporary PythonValue is moved into the optional.
template <typename T>
std::optional<PythonValue> make_value(T data, SourcePosition where) {
    std::optional<PythonValue> value(std::in_place);
    value->data.emplace<T>(std::move(data));
    value->where = where;
    return value;
}

class ClassicParser {
  public:
    ClassicParser(std::string_view text, const std::string& file) : text_(text), file_(file) {}

    ConfigResult<std::vector<Assignment>> parse_file() {
        std::vector<Assignment> assignments;
        while (true) {
            skip_blanks();
            if (at_end()) {
                return assignments;
            }
            if (peek() == '\n' || peek() == ';') {
                advance();
                continue;
            }
            auto statement = parse_statement();
            if (!statement) {
                return *error_;
            }
            assignments.push_back(std::move(*statement));
            skip_blanks();
            if (!at_end() && peek() != '\n' && peek() != ';') {
                return fail("expected end of line after the value of '" + assignments.back().key +
                            "', found " + describe(text_, pos_));
            }
        }
    }

    ConfigResult<PythonValue> parse_single_value() {
        skip_blanks();
        auto value = parse_value(0);
        if (!value) {
            return *error_;
        }
        skip_blanks();
        if (!at_end()) {
            return fail("expected end of value, found " + describe(text_, pos_));
        }
        return std::move(*value);
    }

  private:
    bool at_end() const { return pos_ >= text_.size(); }
    char peek(std::size_t ahead = 0) const {
        return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
    }
    void advance() {
        if (text_[pos_] == '\n') {
            ++line_;
            column_ = 1;
        } else {
            ++column_;
        }
        ++pos_;
    }
    SourcePosition here() const { return {line_, column_}; }

    ConfigError fail(std::string message) { return fail_at(here(), std::move(message)); }
    ConfigError fail_at(SourcePosition where, std::string message) {
        error_ = ConfigError{file_, where, std::move(message)};
        return *error_;
    }

    // Spaces, tabs, comments and backslash-newline continuations; not newlines.
    void skip_blanks() {
        while (!at_end()) {
            char c = peek();
            if (c == ' ' || c == '\t' || c == '\r' || c == '\f') {
                advance();
            } else if (c == '\\' && peek(1) == '\n') {
                advance();
                advance();
            } else if (c == '#') {
                while (!at_end() && peek() != '\n') {
                    advance();
                }
            } else {
                return;
            }
        }
    }
    // Inside brackets newlines are blanks too.
    void skip_blanks_and_newlines() {
        while (true) {
            skip_blanks();
            if (!at_end() && peek() == '\n') {
                advance();
            } else {
                return;
            }
        }
    }

    std::optional<Assignment> parse_statement() {
        Assignment assignment;
        assignment.key_where = here();
        if (!is_name_start(peek())) {
            fail("expected a setting name, found " + describe(text_, pos_));
            return std::nullopt;
        }
        while (!at_end() && is_name_char(peek())) {
            assignment.key += peek();
            advance();
        }
        skip_blanks();
        if (peek() != '=' || peek(1) == '=') {
            fail("expected '=' after '" + assignment.key + "', found " + describe(text_, pos_));
            return std::nullopt;
        }
        advance();
        skip_blanks();
        auto value = parse_value(0);
        if (!value) {
            return std::nullopt;
        }
        assignment.value = std::move(*value);
        return assignment;
    }

    std::optional<PythonValue> parse_value(int depth) {
        if (depth > 32) {
            fail("lists nested too deeply");
            return std::nullopt;
        }
        SourcePosition start = here();
        char c = peek();
        if (c == '[' || c == '(') {
            return parse_list(depth, c == '[' ? ']' : ')');
        }
        if (c == '"' || c == '\'' ||
            ((c == 'r' || c == 'R') && (peek(1) == '"' || peek(1) == '\''))) {
            return parse_strings();
        }
        if (std::isdigit(static_cast<unsigned char>(c)) ||
            ((c == '-' || c == '+') && std::isdigit(static_cast<unsigned char>(peek(1))))) {
            return parse_int();
        }
        if (is_name_start(c)) {
            std::string word;
            while (!at_end() && is_name_char(peek())) {
                word += peek();
                advance();
            }
            if (word == "True" || word == "False") {
                return make_value(word == "True", start);
            }
            if (word == "None") {
                return make_value(PythonNone{}, start);
            }
            fail_at(start,
                    "expected a value (a quoted string, a number, a list, True, False or "
                    "None), found '" +
                        word + "' (strings need quotes)");
            return std::nullopt;
        }
        fail(
            "expected a value (a quoted string, a number, a list, True, False or None), "
            "found " +
            describe(text_, pos_));
        return std::nullopt;
    }

    std::optional<PythonValue> parse_list(int depth, char close) {
        PythonValue list{PythonList{}, here()};
        SourcePosition open = here();
        advance();
        auto& items = std::get<PythonList>(list.data);
        while (true) {
            skip_blanks_and_newlines();
            if (at_end()) {
                fail_at(open, std::string("unclosed '") + (close == ']' ? '[' : '(') +
                                  "': expected '" + close + "' before the end of file");
                return std::nullopt;
            }
            if (peek() == close) {
                advance();
                return list;
            }
            auto item = parse_value(depth + 1);
            if (!item) {
                return std::nullopt;
            }
            items.push_back(std::move(*item));
            skip_blanks_and_newlines();
            if (peek() == ',') {
                advance();
            } else if (at_end()) {
                fail_at(open, std::string("unclosed '") + (close == ']' ? '[' : '(') +
                                  "': expected '" + close + "' before the end of file");
                return std::nullopt;
            } else if (peek() != close) {
                fail(std::string("expected ',' or '") + close + "' in the list, found " +
                     describe(text_, pos_));
                return std::nullopt;
            }
        }
    }

    // One or more adjacent string literals, concatenated as Python does.
    std::optional<PythonValue> parse_strings() {
        PythonValue value{std::string(), here()};
        auto& text = std::get<std::string>(value.data);
        while (true) {
            auto piece = parse_string();
            if (!piece) {
                return std::nullopt;
            }
            text += *piece;
            skip_blanks();
            char c = peek();
            if (!(c == '"' || c == '\'' ||
                  ((c == 'r' || c == 'R') && (peek(1) == '"' || peek(1) == '\'')))) {
                return value;
            }
        }
    }

    std::optional<std::string> parse_string() {
        SourcePosition start = here();
        bool raw = false;
        if (peek() == 'r' || peek() == 'R') {
            raw = true;
            advance();
        }
        char quote = peek();
        bool triple = peek(1) == quote && peek(2) == quote;
        for (int i = 0; i < (triple ? 3 : 1); ++i) {
            advance();
        }
        std::string text;
        while (true) {
            if (at_end() || (!triple && peek() == '\n')) {
                fail_at(start, std::string("unterminated string: expected a closing ") + quote +
                                   (triple ? std::string(2, quote) : "") + " before the end of " +
                                   (at_end() ? "file" : "line"));
                return std::nullopt;
            }
            char c = peek();
            if (c == quote && (!triple || (peek(1) == quote && peek(2) == quote))) {
                for (int i = 0; i < (triple ? 3 : 1); ++i) {
                    advance();
                }
                return text;
            }
            if (c == '\\' && !raw) {
                advance();
                if (at_end()) {
                    continue;
                }
                char escaped = peek();
                advance();
                switch (escaped) {
                    case 'n':
                        text += '\n';
                        break;
                    case 't':
                        text += '\t';
                        break;
                    case 'r':
                        text += '\r';
                        break;
                    case '0':
                        text += '\0';
                        break;
                    case '\n':
                        break;
                    case '\\':
                    case '\'':
                    case '"':
                        text += escaped;
                        break;
                    default:
                        text += '\\';
                        text += escaped;
                }
                continue;
            }
            text += c;
            advance();
        }
    }

    std::optional<PythonValue> parse_int() {
        SourcePosition start = here();
        bool negative = false;
        if (peek() == '-' || peek() == '+') {
            negative = peek() == '-';
            advance();
        }
        int base = 10;
        if (peek() == '0' && (peek(1) == 'x' || peek(1) == 'X')) {
            base = 16;
            advance();
            advance();
        }
        std::string digits;
        while (!at_end() && (std::isxdigit(static_cast<unsigned char>(peek())) || peek() == '_')) {
            if (peek() != '_') {
                digits += peek();
            }
            advance();
        }
        if (!at_end() && (is_name_char(peek()) || peek() == '.')) {
            fail("expected a whole number, found " + describe(text_, pos_) +
                 " inside it (numbers are whole MiB, counts or ids)");
            return std::nullopt;
        }
        std::int64_t value = 0;
        for (char d : digits) {
            int digit = std::isdigit(static_cast<unsigned char>(d))
                            ? d - '0'
                            : std::tolower(static_cast<unsigned char>(d)) - 'a' + 10;
            if (digit >= base) {
                fail_at(start, "expected a decimal number, found '" + digits + "'");
                return std::nullopt;
            }
            if (value > (INT64_MAX - digit) / base) {
                fail_at(start, "number too large");
                return std::nullopt;
            }
            value = value * base + digit;
        }
        if (digits.empty()) {
            fail_at(start, "expected digits");
            return std::nullopt;
        }
        return make_value(negative ? -value : value, start);
    }

    std::string_view text_;
    const std::string& file_;
    std::size_t pos_ = 0;
    int line_ = 1;
    int column_ = 1;
    std::optional<ConfigError> error_;
};

}  // namespace

ConfigResult<std::vector<Assignment>> parse_classic_config(std::string_view text,
                                                           const std::string& file) {
    return ClassicParser(text, file).parse_file();
}

ConfigResult<PythonValue> parse_python_value(std::string_view text, const std::string& file) {
    return ClassicParser(text, file).parse_single_value();
}

}  // namespace tern::cli
