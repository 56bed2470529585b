// The plain-XML reader: one pass over the bytes, no copies but the names and texts kept.
#include "rpc/plain_xml_reader.hpp"

#include <cstddef>
#include <vector>

namespace tern::xapi::rpc {
namespace {

// Beyond these sizes libxml2 has limits of its own (and errors of its own): leave it to them.
constexpr std::size_t kMaxName = 1000;
constexpr std::size_t kMaxText = 1 << 20;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n';  // '\r' is never read here (XML rewrites it)
}

bool is_name_start(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_name_char(char c) {
    return is_name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

class Reader {
  public:
    explicit Reader(std::string_view xml) : s_(xml) {}

    std::optional<XmlElements> read() {
        if (s_.starts_with("<?xml") && !declaration())
            return std::nullopt;
        bool root_done = false;
        while (at_ < s_.size()) {
            if (s_[at_] != '<') {
                const std::size_t from = at_;
                if (!text())
                    return std::nullopt;
                if (open_.empty()) {  // outside the root: blanks only
                    for (std::size_t i = from; i < at_; ++i) {
                        if (!is_space(s_[i]))
                            return std::nullopt;
                    }
                } else {
                    keep_text(s_.substr(from, at_ - from));
                }
                continue;
            }
            if (at_ + 1 >= s_.size())
                return std::nullopt;
            if (s_[at_ + 1] == '/') {
                if (open_.empty() || !end_tag())
                    return std::nullopt;
                root_done = open_.empty();
                continue;
            }
            if (root_done || !start_tag())
                return std::nullopt;
            root_done = open_.empty();  // a root of one empty element
        }
        if (!root_done || !open_.empty())
            return std::nullopt;
        return std::move(elements_);
    }

  private:
    // <?xml version="1.0"?>, with encoding="UTF-8" at most.
    bool declaration() {
        at_ = 5;
        if (!spaces(1) || !word("version") || !equals() || !quoted("1.0"))
            return false;
        const std::size_t before = at_;
        if (spaces(1) && word("encoding")) {
            if (!equals() || !(quoted("UTF-8") || quoted("utf-8")))
                return false;
        } else {
            at_ = before;
        }
        spaces(0);
        return word("?>");
    }

    bool spaces(std::size_t at_least) {
        std::size_t n = 0;
        while (at_ < s_.size() && is_space(s_[at_])) {
            ++at_;
            ++n;
        }
        return n >= at_least;
    }

    bool word(std::string_view w) {
        if (s_.substr(at_, w.size()) != w)
            return false;
        at_ += w.size();
        return true;
    }

    bool equals() {
        spaces(0);
        if (!word("="))
            return false;
        spaces(0);
        return true;
    }

    bool quoted(std::string_view value) {
        if (at_ >= s_.size() || (s_[at_] != '"' && s_[at_] != '\''))
            return false;
        const char quote = s_[at_];
        const std::size_t start = at_;
        ++at_;
        if (word(value) && at_ < s_.size() && s_[at_] == quote) {
            ++at_;
            return true;
        }
        at_ = start;
        return false;
    }

    std::optional<std::string_view> name() {
        const std::size_t from = at_;
        if (at_ >= s_.size() || !is_name_start(s_[at_]))
            return std::nullopt;
        while (at_ < s_.size() && is_name_char(s_[at_]))
            ++at_;
        if (at_ - from > kMaxName)
            return std::nullopt;
        return s_.substr(from, at_ - from);
    }

    // Character data up to the next '<': plain ASCII, no references, no "]]>".
    bool text() {
        const std::size_t from = at_;
        while (at_ < s_.size() && s_[at_] != '<') {
            const unsigned char c = static_cast<unsigned char>(s_[at_]);
            if (c == '&' || c >= 0x80 || (c < 0x20 && c != '\t' && c != '\n'))
                return false;
            if (c == '>' && at_ >= from + 2 && s_[at_ - 1] == ']' && s_[at_ - 2] == ']')
                return false;
            ++at_;
        }
        return at_ - from <= kMaxText;
    }

    void keep_text(std::string_view t) {
        XmlElement& e = elements_[static_cast<std::size_t>(open_.back())];
        e.text.append(t);
        for (std::size_t i = 0; i < t.size() && e.blank; ++i)
            e.blank = is_space(t[i]);
    }

    bool start_tag() {
        ++at_;  // '<'
        const auto n = name();
        if (!n)
            return false;  // also '<!' and '<?'
        spaces(0);
        bool empty = false;
        if (word("/"))
            empty = true;
        if (!word(">"))
            return false;  // an attribute, or a malformed tag
        if (static_cast<int>(open_.size()) >= kPlainXmlMaxDepth)
            return false;
        const int index = static_cast<int>(elements_.size());
        elements_.emplace_back().name = std::string(*n);
        if (!open_.empty()) {
            XmlElement& parent = elements_[static_cast<std::size_t>(open_.back())];
            if (parent.last_child < 0)
                parent.first_child = index;
            else
                elements_[static_cast<std::size_t>(parent.last_child)].next = index;
            parent.last_child = index;
        }
        if (!empty)
            open_.push_back(index);
        return true;
    }

    bool end_tag() {
        at_ += 2;  // '</'
        const auto n = name();
        if (!n || *n != elements_[static_cast<std::size_t>(open_.back())].name)
            return false;
        spaces(0);
        if (!word(">"))
            return false;
        open_.pop_back();
        return true;
    }

    std::string_view s_;
    std::size_t at_ = 0;
    XmlElements elements_;
    std::vector<int> open_;
};

}  // namespace

std::optional<XmlElements> read_plain_xml(std::string_view xml) {
    return Reader(xml).read();
}

}  // namespace tern::xapi::rpc
