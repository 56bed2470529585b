// Defines rpc::Value, the in-memory form of one XML-RPC value as xapid sends and receives it.
//
// The codec (xmlrpc_codec.hpp) turns XML into Values and back; nothing else in the daemon looks
// at XML. Leniency lives above this layer: a Value keeps the wire type it arrived with (an
// untyped <value>text</value> and a <string> both become a String; <int>, <i4> and <i8> all
// become an Int), and the generated type checks decide what each parameter may accept.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tern::xapi::rpc {

struct Value;

using Array = std::vector<Value>;
// Struct members keep their names; XML-RPC does not order them, so a sorted map is fine.
using Struct = std::map<std::string, Value>;

// An XML-RPC <dateTime.iso8601>, kept as the text that was sent (xapi's
// YYYYMMDDThh:mm:ssZ or xend's form without the zone); conversion happens where it is used.
struct DateTime {
    std::string iso8601;
    friend bool operator==(const DateTime&, const DateTime&) = default;
};

// <nil/> is accepted on input (some clients send it for None) and never emitted by xapid.
struct Nil {
    friend bool operator==(const Nil&, const Nil&) = default;
};

// A value already in its wire form: one <value>...</value> element, which the encoder writes
// out as it is. Answers that carry the same large value (an object's snapshot, sent to every
// event watcher) share one encoding. Never produced by decoding, never stored.
struct Encoded {
    std::shared_ptr<const std::string> xml;
    friend bool operator==(const Encoded& a, const Encoded& b) {
        return a.xml == b.xml || (a.xml && b.xml && *a.xml == *b.xml);
    }
};

struct Value {
    using Variant = std::variant<Nil, bool, std::int64_t, double, std::string, DateTime, Array,
                                 Struct, Encoded>;
    Variant v;

    Value() : v(Nil{}) {}
    Value(bool b) : v(b) {}
    Value(std::int64_t i) : v(i) {}
    Value(int i) : v(std::int64_t{i}) {}
    Value(double d) : v(d) {}
    Value(std::string s) : v(std::move(s)) {}
    Value(const char* s) : v(std::string(s)) {}
    Value(DateTime d) : v(std::move(d)) {}
    Value(Array a) : v(std::move(a)) {}
    Value(Struct s) : v(std::move(s)) {}
    Value(Encoded e) : v(std::move(e)) {}

    template <class T>
    bool is() const {
        return std::holds_alternative<T>(v);
    }
    template <class T>
    const T& as() const {
        return std::get<T>(v);
    }
    template <class T>
    T& as() {
        return std::get<T>(v);
    }

    friend bool operator==(const Value&, const Value&) = default;
};

}  // namespace tern::xapi::rpc
