// The XML-RPC codec on libxml2: a DOM parse of the whole body, then a walk that turns
// <value> elements into rpc::Values; encoding appends escaped text to a string.
#include "rpc/xmlrpc_codec.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>

namespace tern::xapi::rpc {
namespace {

struct DocFree {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocFree>;

struct DecodeError {
    std::string message;
};

bool is_element(const xmlNode* node, const char* name) {
    return node != nullptr && node->type == XML_ELEMENT_NODE &&
           std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

std::string node_name(const xmlNode* node) {
    return reinterpret_cast<const char*>(node->name);
}

// The concatenated text and CDATA directly below `node`.
std::string text_of(const xmlNode* node) {
    std::string out;
    for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
            out += reinterpret_cast<const char*>(c->content);
        }
    }
    return out;
}

// The element children of `node`, failing on stray non-blank text.
std::optional<std::vector<const xmlNode*>> element_children(const xmlNode* node) {
    std::vector<const xmlNode*> out;
    for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
        if (c->type == XML_ELEMENT_NODE) {
            out.push_back(c);
        } else if (c->type == XML_TEXT_NODE) {
            for (const char* p = reinterpret_cast<const char*>(c->content); *p != '\0'; ++p) {
                if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
                    return std::nullopt;
            }
        }
    }
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

Value decode_value(const xmlNode* value, int depth, std::optional<DecodeError>& error);

Value fail(std::optional<DecodeError>& error, std::string message) {
    if (!error)
        error = DecodeError{std::move(message)};
    return Value{};
}

Value decode_typed(const xmlNode* typed, int depth, std::optional<DecodeError>& error) {
    const std::string name = node_name(typed);
    if (name == "string" || name == "base64")
        return Value{text_of(typed)};
    if (name == "int" || name == "i4" || name == "i8") {
        const std::string text{trim(text_of(typed))};
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
        const std::string raw = text_of(typed);
        const std::string_view text = trim(raw);
        if (text == "1" || text == "true")
            return Value{true};
        if (text == "0" || text == "false")
            return Value{false};
        return fail(error, "bad <boolean> value '" + std::string(text) + "'");
    }
    if (name == "double") {
        const std::string text{trim(text_of(typed))};
        char* end = nullptr;
        const double d = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(d)) {
            return fail(error, "bad <double> value '" + text + "'");
        }
        return Value{d};
    }
    if (name == "dateTime.iso8601")
        return Value{DateTime{std::string(trim(text_of(typed)))}};
    if (name == "nil")
        return Value{};
    if (depth >= kMaxNestingDepth)
        return fail(error, "values nested too deeply");
    if (name == "array") {
        auto kids = element_children(typed);
        if (!kids || kids->size() != 1 || !is_element((*kids)[0], "data")) {
            return fail(error, "<array> must hold exactly one <data>");
        }
        auto values = element_children((*kids)[0]);
        if (!values)
            return fail(error, "text inside <data>");
        Array out;
        out.reserve(values->size());
        for (const xmlNode* v : *values) {
            if (!is_element(v, "value"))
                return fail(error, "<data> may hold only <value>");
            out.push_back(decode_value(v, depth + 1, error));
            if (error)
                return Value{};
        }
        return Value{std::move(out)};
    }
    if (name == "struct") {
        auto members = element_children(typed);
        if (!members)
            return fail(error, "text inside <struct>");
        Struct out;
        for (const xmlNode* m : *members) {
            if (!is_element(m, "member"))
                return fail(error, "<struct> may hold only <member>");
            auto parts = element_children(m);
            const xmlNode* name_node = nullptr;
            const xmlNode* value_node = nullptr;
            for (const xmlNode* p : parts.value_or(std::vector<const xmlNode*>{})) {
                if (is_element(p, "name") && name_node == nullptr) {
                    name_node = p;
                } else if (is_element(p, "value") && value_node == nullptr) {
                    value_node = p;
                } else {
                    return fail(error, "<member> must hold one <name> and one <value>");
                }
            }
            if (name_node == nullptr || value_node == nullptr) {
                return fail(error, "<member> must hold one <name> and one <value>");
            }
            Value v = decode_value(value_node, depth + 1, error);
            if (error)
                return Value{};
            out.insert_or_assign(text_of(name_node), std::move(v));
        }
        return Value{std::move(out)};
    }
    return fail(error, "unknown value type <" + name + ">");
}

Value decode_value(const xmlNode* value, int depth, std::optional<DecodeError>& error) {
    bool has_element = false;
    for (const xmlNode* c = value->children; c != nullptr; c = c->next) {
        has_element = has_element || c->type == XML_ELEMENT_NODE;
    }
    if (!has_element)
        return Value{text_of(value)};  // untyped: a string
    auto kids = element_children(value);
    if (!kids || kids->size() != 1)
        return fail(error, "<value> must hold one typed element");
    return decode_typed((*kids)[0], depth, error);
}

struct ParserFree {
    void operator()(xmlParserCtxt* ctxt) const { xmlFreeParserCtxt(ctxt); }
};
using ParserPtr = std::unique_ptr<xmlParserCtxt, ParserFree>;

// Parses `xml` with a push parser fed the whole body at once: xmlReadMemory would read it
// through an input that grows chunk by chunk (a third of the time of parsing a small call).
std::variant<DocPtr, ParseError> parse_document(std::string_view xml) {
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
    ParserPtr ctxt{xmlCreatePushParserCtxt(nullptr, nullptr, nullptr, 0, "request.xml")};
    if (!ctxt)
        return ParseError{"out of memory"};
    xmlCtxtUseOptions(ctxt.get(), options);
    xmlParseChunk(ctxt.get(), xml.data(), static_cast<int>(xml.size()), 1);
    DocPtr doc{ctxt->myDoc};
    ctxt->myDoc = nullptr;
    if (!ctxt->wellFormed || !doc) {
        const xmlError& e = ctxt->lastError;
        std::string why = e.message != nullptr ? e.message : "not XML";
        while (!why.empty() && why.back() == '\n')
            why.pop_back();
        if (e.message != nullptr)
            why += " at line " + std::to_string(e.line);
        return ParseError{"malformed XML: " + why};
    }
    // A DOCTYPE may declare entities; XML-RPC has no use for one, so refuse it outright.
    if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
        return ParseError{"a DOCTYPE is not allowed in XML-RPC"};
    }
    return doc;
}

// Decodes <params><param><value>... into `out`.
std::optional<std::string> decode_params(const xmlNode* params, Array& out) {
    auto list = element_children(params);
    if (!list)
        return "text inside <params>";
    for (const xmlNode* p : *list) {
        if (!is_element(p, "param"))
            return "<params> may hold only <param>";
        auto v = element_children(p);
        if (!v || v->size() != 1 || !is_element((*v)[0], "value")) {
            return "<param> must hold one <value>";
        }
        std::optional<DecodeError> error;
        out.push_back(decode_value((*v)[0], 1, error));
        if (error)
            return error->message;
    }
    return std::nullopt;
}

void append_escaped(std::string& out, std::string_view text) {
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

void append_value(std::string& out, const Value& value) {
    if (const auto* encoded = std::get_if<Encoded>(&value.v)) {
        if (encoded->xml)
            out += *encoded->xml;
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
                out.append(buf, ec == std::errc{} ? end : buf);
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
    const DocPtr& doc = std::get<DocPtr>(parsed);
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    if (!is_element(root, "methodCall"))
        return ParseError{"the root element is not <methodCall>"};
    auto kids = element_children(root);
    if (!kids)
        return ParseError{"text inside <methodCall>"};
    MethodCall call;
    bool have_name = false;
    for (const xmlNode* k : *kids) {
        if (is_element(k, "methodName") && !have_name) {
            call.method = std::string(trim(text_of(k)));
            have_name = true;
        } else if (is_element(k, "params")) {
            if (auto why = decode_params(k, call.params))
                return ParseError{*why};
        } else {
            return ParseError{"unexpected <" + node_name(k) + "> in <methodCall>"};
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
    const DocPtr& doc = std::get<DocPtr>(parsed);
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    if (!is_element(root, "methodResponse")) {
        return ParseError{"the root element is not <methodResponse>"};
    }
    auto kids = element_children(root);
    if (!kids || kids->size() != 1)
        return ParseError{"<methodResponse> must hold one element"};
    const xmlNode* body = (*kids)[0];
    if (is_element(body, "params")) {
        Array params;
        if (auto why = decode_params(body, params))
            return ParseError{*why};
        if (params.size() != 1)
            return ParseError{"a response must carry exactly one <param>"};
        return std::move(params[0]);
    }
    if (is_element(body, "fault")) {
        auto v = element_children(body);
        if (!v || v->size() != 1 || !is_element((*v)[0], "value")) {
            return ParseError{"<fault> must hold one <value>"};
        }
        std::optional<DecodeError> error;
        Value fault = decode_value((*v)[0], 1, error);
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
    return ParseError{"unexpected <" + node_name(body) + "> in <methodResponse>"};
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
