// The XML-RPC codec on libxml2: its SAX parser fills a compact tree of the elements and their
// direct text (a DOM of libxml2's own costs an allocation per node, text and name), then a walk
// turns <value> elements into rpc::Values; encoding appends escaped text to a string.
#include "rpc/xmlrpc_codec.hpp"

#include <libxml/parser.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>

namespace tern::xapi::rpc {
namespace {

struct DecodeError {
    std::string message;
};

// One element: its local name, the text directly inside it, and its element children.
struct Element {
    std::string name;
    std::string text;   // text and CDATA directly below, concatenated
    bool blank = true;  // `text` holds nothing but blanks
    int first_child = -1;
    int last_child = -1;
    int next = -1;  // the next sibling
};

// The elements of a document, the root first; children are linked by index. (A deque: its
// blocks are small, where a vector's growth would make allocations large enough to cost the
// allocator a consolidation of its free lists each time.)
struct Tree {
    std::deque<Element> elements;
    std::vector<int> open;            // the elements being parsed, innermost last
    bool refused_doctype = false;     // a DOCTYPE came: parsing stopped there
    xmlParserCtxt* parser = nullptr;  // to stop it
};

void on_start(void* user, const xmlChar* localname, const xmlChar*, const xmlChar*, int,
              const xmlChar**, int, int, const xmlChar**) {
    Tree& t = *static_cast<Tree*>(user);
    const int index = static_cast<int>(t.elements.size());
    t.elements.emplace_back().name = reinterpret_cast<const char*>(localname);
    if (!t.open.empty()) {
        Element& parent = t.elements[static_cast<std::size_t>(t.open.back())];
        if (parent.last_child < 0)
            parent.first_child = index;
        else
            t.elements[static_cast<std::size_t>(parent.last_child)].next = index;
        parent.last_child = index;
    }
    t.open.push_back(index);
}

void on_end(void* user, const xmlChar*, const xmlChar*, const xmlChar*) {
    Tree& t = *static_cast<Tree*>(user);
    if (!t.open.empty())
        t.open.pop_back();
}

void on_text(void* user, const xmlChar* text, int length) {
    Tree& t = *static_cast<Tree*>(user);
    if (t.open.empty() || length <= 0)
        return;
    Element& e = t.elements[static_cast<std::size_t>(t.open.back())];
    const char* p = reinterpret_cast<const char*>(text);
    e.text.append(p, static_cast<std::size_t>(length));
    for (int i = 0; i < length && e.blank; ++i)
        e.blank = p[i] == ' ' || p[i] == '\t' || p[i] == '\n' || p[i] == '\r';
}

// A DOCTYPE may declare entities; XML-RPC has no use for one, so refuse it outright, before
// anything it declares is read.
void on_doctype(void* user, const xmlChar*, const xmlChar*, const xmlChar*) {
    Tree& t = *static_cast<Tree*>(user);
    t.refused_doctype = true;
    xmlStopParser(t.parser);
}

const xmlSAXHandler& sax_handler() {
    static const xmlSAXHandler handler = [] {
        xmlSAXHandler h;
        std::memset(&h, 0, sizeof h);
        h.initialized = XML_SAX2_MAGIC;
        h.startElementNs = on_start;
        h.endElementNs = on_end;
        h.characters = on_text;
        h.ignorableWhitespace = on_text;
        h.cdataBlock = on_text;
        h.internalSubset = on_doctype;
        return h;
    }();
    return handler;
}

bool is_element(const Tree& t, int index, const char* name) {
    return index >= 0 && t.elements[static_cast<std::size_t>(index)].name == name;
}

const Element& element(const Tree& t, int index) {
    return t.elements[static_cast<std::size_t>(index)];
}

// The element children of `index`, failing on stray non-blank text.
std::optional<std::vector<int>> element_children(const Tree& t, int index) {
    const Element& e = element(t, index);
    if (!e.blank)
        return std::nullopt;
    std::vector<int> out;
    for (int c = e.first_child; c >= 0; c = element(t, c).next)
        out.push_back(c);
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\n' || s.front() == '\t' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\n' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

Value decode_value(const Tree& t, int value, int depth, std::optional<DecodeError>& error);

Value fail(std::optional<DecodeError>& error, std::string message) {
    if (!error)
        error = DecodeError{std::move(message)};
    return Value{};
}

Value decode_typed(const Tree& t, int typed, int depth, std::optional<DecodeError>& error) {
    const Element& e = element(t, typed);
    const std::string& name = e.name;
    if (name == "string" || name == "base64")
        return Value{e.text};
    if (name == "int" || name == "i4" || name == "i8") {
        const std::string text{trim(e.text)};
        std::int64_t v = 0;
        const char* begin = text.data();
        if (!text.empty() && text[0] == '+')
            ++begin;
        auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), v);
        if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty()) {
            return fail(error, "bad <" + name + "> value '" + text + "'");
        }
        return Value{v};
    }
    if (name == "boolean") {
        const std::string_view text = trim(e.text);
        if (text == "1" || text == "true")
            return Value{true};
        if (text == "0" || text == "false")
            return Value{false};
        return fail(error, "bad <boolean> value '" + std::string(text) + "'");
    }
    if (name == "double") {
        const std::string text{trim(e.text)};
        char* end = nullptr;
        const double d = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(d)) {
            return fail(error, "bad <double> value '" + text + "'");
        }
        return Value{d};
    }
    if (name == "dateTime.iso8601")
        return Value{DateTime{std::string(trim(e.text))}};
    if (name == "nil")
        return Value{};
    if (depth >= kMaxNestingDepth)
        return fail(error, "values nested too deeply");
    if (name == "array") {
        auto kids = element_children(t, typed);
        if (!kids || kids->size() != 1 || !is_element(t, (*kids)[0], "data")) {
            return fail(error, "<array> must hold exactly one <data>");
        }
        auto values = element_children(t, (*kids)[0]);
        if (!values)
            return fail(error, "text inside <data>");
        Array out;
        out.reserve(values->size());
        for (int v : *values) {
            if (!is_element(t, v, "value"))
                return fail(error, "<data> may hold only <value>");
            out.push_back(decode_value(t, v, depth + 1, error));
            if (error)
                return Value{};
        }
        return Value{std::move(out)};
    }
    if (name == "struct") {
        auto members = element_children(t, typed);
        if (!members)
            return fail(error, "text inside <struct>");
        Struct out;
        for (int m : *members) {
            if (!is_element(t, m, "member"))
                return fail(error, "<struct> may hold only <member>");
            int name_node = -1;
            int value_node = -1;
            for (int p : element_children(t, m).value_or(std::vector<int>{})) {
                if (is_element(t, p, "name") && name_node < 0) {
                    name_node = p;
                } else if (is_element(t, p, "value") && value_node < 0) {
                    value_node = p;
                } else {
                    return fail(error, "<member> must hold one <name> and one <value>");
                }
            }
            if (name_node < 0 || value_node < 0) {
                return fail(error, "<member> must hold one <name> and one <value>");
            }
            Value v = decode_value(t, value_node, depth + 1, error);
            if (error)
                return Value{};
            out.insert_or_assign(element(t, name_node).text, std::move(v));
        }
        return Value{std::move(out)};
    }
    return fail(error, "unknown value type <" + name + ">");
}

Value decode_value(const Tree& t, int value, int depth, std::optional<DecodeError>& error) {
    const Element& e = element(t, value);
    if (e.first_child < 0)
        return Value{e.text};  // untyped: a string
    auto kids = element_children(t, value);
    if (!kids || kids->size() != 1)
        return fail(error, "<value> must hold one typed element");
    return decode_typed(t, (*kids)[0], depth, error);
}

struct ParserFree {
    void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};
using ParserPtr = std::unique_ptr<xmlParserCtxt, ParserFree>;

// A thread's push parser, kept from one document to the next and reset for each: making one
// (its dictionary, input buffers and stacks) cost more than parsing a small call. One that
// failed, or whose dictionary of names has grown large (a client sending ever new element
// names), is thrown away and made again.
constexpr int kMaxKeptNames = 4096;

ParserPtr& kept_parser() {
    thread_local ParserPtr parser;
    return parser;
}

// Parses `xml` into a Tree with a push parser fed the whole body at once (xmlReadMemory would
// read it through an input that grows chunk by chunk). No file name: libxml2 would look up the
// working directory for it on every document.
std::variant<Tree, ParseError> parse_document(std::string_view xml) {
    static const bool initialised = [] {
        xmlInitParser();
        return true;
    }();
    (void)initialised;
    if (xml.size() > static_cast<std::size_t>(INT32_MAX))
        return ParseError{"body too large"};
    if (xml.empty())
        return ParseError{"malformed XML: Document is empty"};
    const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                        XML_PARSE_NOCDATA;  // no XML_PARSE_NOENT: entities stay unexpanded
    Tree tree;
    ParserPtr& ctxt = kept_parser();
    if (ctxt && xmlCtxtResetPush(ctxt.get(), nullptr, 0, nullptr, nullptr) != 0)
        ctxt.reset();
    if (!ctxt) {
        // The parser keeps a copy of the handler.
        xmlSAXHandler handler = sax_handler();
        ctxt.reset(xmlCreatePushParserCtxt(&handler, nullptr, nullptr, 0, nullptr));
        if (!ctxt)
            return ParseError{"out of memory"};
    }
    ctxt->userData = &tree;  // what the handler's callbacks are given
    tree.parser = ctxt.get();
    xmlCtxtUseOptions(ctxt.get(), options);
    xmlParseChunk(ctxt.get(), xml.data(), static_cast<int>(xml.size()), 1);
    ctxt->userData = nullptr;
    if (tree.refused_doctype) {
        ctxt.reset();
        return ParseError{"a DOCTYPE is not allowed in XML-RPC"};
    }
    if (!ctxt->wellFormed || tree.elements.empty()) {
        const xmlError& e = ctxt->lastError;
        std::string why = e.message != nullptr ? e.message : "not XML";
        while (!why.empty() && why.back() == '\n')
            why.pop_back();
        if (e.message != nullptr)
            why += " at line " + std::to_string(e.line);
        ctxt.reset();
        return ParseError{"malformed XML: " + why};
    }
    if (ctxt->dict == nullptr || xmlDictSize(ctxt->dict) > kMaxKeptNames)
        ctxt.reset();
    tree.parser = nullptr;
    tree.open.clear();
    return tree;
}

// Decodes <params><param><value>... into `out`.
std::optional<std::string> decode_params(const Tree& t, int params, Array& out) {
    auto list = element_children(t, params);
    if (!list)
        return "text inside <params>";
    for (int p : *list) {
        if (!is_element(t, p, "param"))
            return "<params> may hold only <param>";
        auto v = element_children(t, p);
        if (!v || v->size() != 1 || !is_element(t, (*v)[0], "value")) {
            return "<param> must hold one <value>";
        }
        std::optional<DecodeError> error;
        out.push_back(decode_value(t, (*v)[0], 1, error));
        if (error)
            return error->message;
    }
    return std::nullopt;
}

// Gathers a response in pieces: its own text, and in between the encodings it carries that
// are worth sharing rather than copying (see encode_response_pieces).
class PieceWriter {
  public:
    explicit PieceWriter(std::vector<Piece>& pieces) : pieces_(pieces) {}
    PieceWriter& operator+=(std::string_view text) {
        text_ += text;
        return *this;
    }
    PieceWriter& operator+=(char c) {
        text_ += c;
        return *this;
    }
    void append_shared(const std::shared_ptr<const std::string>& xml) {
        if (xml->size() < kSharedPiece) {
            text_ += *xml;
            return;
        }
        flush();
        pieces_.emplace_back(xml);
    }
    void flush() {
        if (!text_.empty())
            pieces_.emplace_back(std::move(text_));
        text_ = std::string();
    }

  private:
    std::vector<Piece>& pieces_;
    std::string text_;
};

void append_shared(std::string& out, const std::shared_ptr<const std::string>& xml) {
    out += *xml;
}
void append_shared(PieceWriter& out, const std::shared_ptr<const std::string>& xml) {
    out.append_shared(xml);
}

template <class Out>
void append_escaped(Out& out, std::string_view text) {
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '\r':
                out += "&#13;";
                break;
            default:
                out += c;
        }
    }
}

// About the length of the value's encoding (exact but for escapes), so that the output grows
// once: answers carrying event snapshots are tens of kilobytes.
std::size_t size_hint(const Value& value) {
    constexpr std::size_t kTags = 16;  // <value></value>
    return std::visit(
        [](const auto& v) -> std::size_t {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, Encoded>) {
                return v.xml ? v.xml->size() : kTags;
            } else if constexpr (std::is_same_v<T, std::string>) {
                return kTags + v.size();
            } else if constexpr (std::is_same_v<T, DateTime>) {
                return kTags + 40 + v.iso8601.size();
            } else if constexpr (std::is_same_v<T, Array>) {
                std::size_t n = kTags + 26;
                for (const Value& e : v)
                    n += size_hint(e);
                return n;
            } else if constexpr (std::is_same_v<T, Struct>) {
                std::size_t n = kTags + 17;
                for (const auto& [name, member] : v)
                    n += 30 + name.size() + size_hint(member);
                return n;
            } else {
                return kTags + 40;
            }
        },
        value.v);
}

template <class Out>
void append_value(Out& out, const Value& value) {
    if (const auto* encoded = std::get_if<Encoded>(&value.v)) {
        if (encoded->xml)
            append_shared(out, encoded->xml);
        else
            out += "<value></value>";
        return;
    }
    out += "<value>";
    std::visit(
        [&out](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, Nil>) {
                out += "<nil/>";
            } else if constexpr (std::is_same_v<T, bool>) {
                out += v ? "<boolean>1</boolean>" : "<boolean>0</boolean>";
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                const bool fits = v >= INT32_MIN && v <= INT32_MAX;
                out += fits ? "<int>" : "<i8>";
                out += std::to_string(v);
                out += fits ? "</int>" : "</i8>";
            } else if constexpr (std::is_same_v<T, double>) {
                char buf[64];
                auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
                out += "<double>";
                out += std::string_view(
                    buf, static_cast<std::size_t>((ec == std::errc{} ? end : buf) - buf));
                out += "</double>";
            } else if constexpr (std::is_same_v<T, std::string>) {
                append_escaped(out, v);
            } else if constexpr (std::is_same_v<T, DateTime>) {
                out += "<dateTime.iso8601>";
                append_escaped(out, v.iso8601);
                out += "</dateTime.iso8601>";
            } else if constexpr (std::is_same_v<T, Array>) {
                out += "<array><data>";
                for (const Value& e : v)
                    append_value(out, e);
                out += "</data></array>";
            } else if constexpr (std::is_same_v<T, Struct>) {
                out += "<struct>";
                for (const auto& [name, member] : v) {
                    out += "<member><name>";
                    append_escaped(out, name);
                    out += "</name>";
                    append_value(out, member);
                    out += "</member>";
                }
                out += "</struct>";
            }
        },
        value.v);
    out += "</value>";
}

constexpr std::string_view kHeader = "<?xml version=\"1.0\"?>\n";

}  // namespace

std::variant<MethodCall, ParseError> parse_method_call(std::string_view xml) {
    auto parsed = parse_document(xml);
    if (auto* e = std::get_if<ParseError>(&parsed))
        return *e;
    const Tree& t = std::get<Tree>(parsed);
    const int root = 0;
    if (!is_element(t, root, "methodCall"))
        return ParseError{"the root element is not <methodCall>"};
    auto kids = element_children(t, root);
    if (!kids)
        return ParseError{"text inside <methodCall>"};
    MethodCall call;
    bool have_name = false;
    for (int k : *kids) {
        if (is_element(t, k, "methodName") && !have_name) {
            call.method = std::string(trim(element(t, k).text));
            have_name = true;
        } else if (is_element(t, k, "params")) {
            if (auto why = decode_params(t, k, call.params))
                return ParseError{*why};
        } else {
            return ParseError{"unexpected <" + element(t, k).name + "> in <methodCall>"};
        }
    }
    if (!have_name || call.method.empty())
        return ParseError{"<methodName> is missing"};
    return call;
}

std::variant<Value, Fault, ParseError> parse_method_response(std::string_view xml) {
    auto parsed = parse_document(xml);
    if (auto* e = std::get_if<ParseError>(&parsed))
        return *e;
    const Tree& t = std::get<Tree>(parsed);
    const int root = 0;
    if (!is_element(t, root, "methodResponse")) {
        return ParseError{"the root element is not <methodResponse>"};
    }
    auto kids = element_children(t, root);
    if (!kids || kids->size() != 1)
        return ParseError{"<methodResponse> must hold one element"};
    const int body = (*kids)[0];
    if (is_element(t, body, "params")) {
        Array params;
        if (auto why = decode_params(t, body, params))
            return ParseError{*why};
        if (params.size() != 1)
            return ParseError{"a response must carry exactly one <param>"};
        return std::move(params[0]);
    }
    if (is_element(t, body, "fault")) {
        auto v = element_children(t, body);
        if (!v || v->size() != 1 || !is_element(t, (*v)[0], "value")) {
            return ParseError{"<fault> must hold one <value>"};
        }
        std::optional<DecodeError> error;
        Value fault = decode_value(t, (*v)[0], 1, error);
        if (error)
            return ParseError{error->message};
        if (!fault.is<Struct>())
            return ParseError{"a fault must be a struct"};
        Fault out;
        const Struct& s = fault.as<Struct>();
        if (auto it = s.find("faultCode"); it != s.end() && it->second.is<std::int64_t>()) {
            out.code = static_cast<int>(it->second.as<std::int64_t>());
        }
        if (auto it = s.find("faultString"); it != s.end() && it->second.is<std::string>()) {
            out.message = it->second.as<std::string>();
        }
        return out;
    }
    return ParseError{"unexpected <" + element(t, body).name + "> in <methodResponse>"};
}

std::string encode_response(const Value& result) {
    std::string out;
    out.reserve(kHeader.size() + 64 + size_hint(result));
    out += kHeader;
    out += "<methodResponse><params><param>";
    append_value(out, result);
    out += "</param></params></methodResponse>\n";
    return out;
}

std::vector<Piece> encode_response_pieces(const Value& result) {
    std::vector<Piece> pieces;
    PieceWriter out(pieces);
    out += kHeader;
    out += "<methodResponse><params><param>";
    append_value(out, result);
    out += "</param></params></methodResponse>\n";
    out.flush();
    return pieces;
}

std::string encode_fault(int code, std::string_view message) {
    std::string out{kHeader};
    out += "<methodResponse><fault>";
    append_value(out, Value{Struct{{"faultCode", Value{code}},
                                   {"faultString", Value{std::string(message)}}}});
    out += "</fault></methodResponse>\n";
    return out;
}

std::string encode_value(const Value& value) {
    std::string out;
    out.reserve(size_hint(value));
    append_value(out, value);
    return out;
}

std::string encode_method_call(const MethodCall& call) {
    std::string out{kHeader};
    out += "<methodCall><methodName>";
    append_escaped(out, call.method);
    out += "</methodName><params>";
    for (const Value& p : call.params) {
        out += "<param>";
        append_value(out, p);
        out += "</param>";
    }
    out += "</params></methodCall>\n";
    return out;
}

}  // namespace tern::xapi::rpc
