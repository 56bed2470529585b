#include "xmlrpc.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>

namespace tern::xenapi::detail {
namespace {

const xmlChar* X(const char* s) {
    return reinterpret_cast<const xmlChar*>(s);
}

void init_libxml() {
    static std::once_flag once;
    std::call_once(once, [] { xmlInitParser(); });
}

struct DocDeleter {
    void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocDeleter>;

void add_value(xmlNode* parent, const Value& v);

void add_typed(xmlNode* value_node, const char* type, const std::string& text) {
    xmlNewTextChild(value_node, nullptr, X(type), X(text.c_str()));
}

void add_value(xmlNode* parent, const Value& v) {
    xmlNode* node = xmlNewChild(parent, nullptr, X("value"), nullptr);
    const auto& var = v.variant();
    if (v.is_nil()) {
        xmlNewChild(node, nullptr, X("nil"), nullptr);
    } else if (const auto* s = std::get_if<std::string>(&var)) {
        add_typed(node, "string", *s);
    } else if (const auto* i = std::get_if<std::int64_t>(&var)) {
        const bool small = *i >= INT32_MIN && *i <= INT32_MAX;
        add_typed(node, small ? "int" : "i8", std::to_string(*i));
    } else if (const auto* d = std::get_if<double>(&var)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.17g", *d);
        add_typed(node, "double", buf);
    } else if (const auto* b = std::get_if<bool>(&var)) {
        add_typed(node, "boolean", *b ? "1" : "0");
    } else if (const auto* t = std::get_if<DateTime>(&var)) {
        add_typed(node, "dateTime.iso8601", format_datetime(*t));
    } else if (const auto* a = std::get_if<Array>(&var)) {
        xmlNode* data = xmlNewChild(xmlNewChild(node, nullptr, X("array"), nullptr), nullptr,
                                    X("data"), nullptr);
        for (const Value& e : *a)
            add_value(data, e);
    } else {
        xmlNode* st = xmlNewChild(node, nullptr, X("struct"), nullptr);
        for (const auto& [key, member] : std::get<Struct>(var)) {
            xmlNode* m = xmlNewChild(st, nullptr, X("member"), nullptr);
            xmlNewTextChild(m, nullptr, X("name"), X(key.c_str()));
            add_value(m, member);
        }
    }
}

std::string text_of(const xmlNode* node) {
    std::string out;
    for (const xmlNode* c = node->children; c; c = c->next)
        if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE)
            out += reinterpret_cast<const char*>(c->content);
    return out;
}

bool named(const xmlNode* node, const char* name) {
    return node && node->type == XML_ELEMENT_NODE &&
           std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

const xmlNode* first_element(const xmlNode* node) {
    for (const xmlNode* c = node ? node->children : nullptr; c; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return c;
    return nullptr;
}

const xmlNode* child(const xmlNode* node, const char* name) {
    for (const xmlNode* c = node ? node->children : nullptr; c; c = c->next)
        if (named(c, name))
            return c;
    return nullptr;
}

std::int64_t parse_int(const std::string& raw) {
    std::string s;
    for (char c : raw)
        if (c != ' ' && c != '\n' && c != '\t' && c != '\r' && c != '+')
            s += c;
    std::int64_t out = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || end != s.data() + s.size())
        throw ProtocolError("bad XML-RPC int \"" + raw + "\"");
    return out;
}

Value parse_value(const xmlNode* value_node) {
    if (!value_node)
        throw ProtocolError("XML-RPC element without its <value>");
    const xmlNode* typed = first_element(value_node);
    if (!typed)
        return Value(text_of(value_node));  // untyped: a string
    const std::string type = reinterpret_cast<const char*>(typed->name);
    if (type == "string")
        return Value(text_of(typed));
    if (type == "int" || type == "i4" || type == "i8")
        return Value(parse_int(text_of(typed)));
    if (type == "boolean")
        return Value(parse_int(text_of(typed)) != 0);
    if (type == "double") {
        try {
            return Value(std::stod(text_of(typed)));
        } catch (const std::exception&) {
            throw ProtocolError("bad XML-RPC double");
        }
    }
    if (type == "dateTime.iso8601")
        return Value(parse_datetime(text_of(typed)));
    if (type == "nil")
        return Value();
    if (type == "base64")
        return Value(text_of(typed));
    if (type == "array") {
        Array out;
        for (const xmlNode* c = child(typed, "data") ? child(typed, "data")->children : nullptr; c;
             c = c->next)
            if (named(c, "value"))
                out.push_back(parse_value(c));
        return Value(std::move(out));
    }
    if (type == "struct") {
        Struct out;
        for (const xmlNode* m = typed->children; m; m = m->next) {
            if (!named(m, "member"))
                continue;
            const xmlNode* name = child(m, "name");
            const xmlNode* value = child(m, "value");
            if (!name || !value)
                throw ProtocolError("XML-RPC struct member without name or value");
            out.insert_or_assign(text_of(name), parse_value(value));
        }
        return Value(std::move(out));
    }
    throw ProtocolError("unknown XML-RPC type <" + type + ">");
}

}  // namespace

std::string encode_call(std::string_view method, const Array& params) {
    init_libxml();
    Doc doc(xmlNewDoc(X("1.0")));
    xmlNode* call = xmlNewDocNode(doc.get(), nullptr, X("methodCall"), nullptr);
    xmlDocSetRootElement(doc.get(), call);
    const std::string name(method);
    xmlNewTextChild(call, nullptr, X("methodName"), X(name.c_str()));
    xmlNode* ps = xmlNewChild(call, nullptr, X("params"), nullptr);
    for (const Value& p : params)
        add_value(xmlNewChild(ps, nullptr, X("param"), nullptr), p);
    xmlChar* mem = nullptr;
    int size = 0;
    xmlDocDumpMemoryEnc(doc.get(), &mem, &size, "UTF-8");
    if (!mem)
        throw ProtocolError("cannot encode the call of " + name);
    std::string out(reinterpret_cast<const char*>(mem), static_cast<std::size_t>(size));
    xmlFree(mem);
    return out;
}

Value decode_response(std::string_view xml) {
    init_libxml();
    Doc doc(
        xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "response.xml", nullptr,
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE));
    if (!doc)
        throw ProtocolError("the answer is not well-formed XML");
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    if (!named(root, "methodResponse"))
        throw ProtocolError("the answer is not an XML-RPC methodResponse");
    if (const xmlNode* fault = child(root, "fault")) {
        const Value f = parse_value(child(fault, "value"));
        std::string text = "XML-RPC fault";
        if (f.is<Struct>()) {
            std::string s;
            decode(f.member("faultString"), s);
            text += ": " + s;
        }
        throw ProtocolError(text);
    }
    const xmlNode* value = child(child(child(root, "params"), "param"), "value");
    if (!value)
        throw ProtocolError("XML-RPC answer without a value");
    return parse_value(value);
}

}  // namespace tern::xenapi::detail
