// A dynamically typed XML-RPC value, as the wire carries it, and the typed conversions the
// generated proxies use to turn it into C++ types (and back).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "tern/xenapi/ref.hpp"

namespace tern::xenapi {

// XenAPI datetimes have second resolution and are UTC.
using DateTime = std::chrono::sys_seconds;

class Value;
using Array = std::vector<Value>;
using Struct = std::map<std::string, Value>;

// Raised when an answer does not have the shape the schema promises.
class ProtocolError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class Value {
  public:
    using Variant = std::variant<std::monostate, std::string, std::int64_t, double, bool, DateTime,
                                 Array, Struct>;

    Value() = default;
    Value(std::string s) : v_(std::move(s)) {}
    Value(const char* s) : v_(std::string(s)) {}
    Value(std::int64_t i) : v_(i) {}
    Value(int i) : v_(std::int64_t{i}) {}
    Value(double d) : v_(d) {}
    Value(bool b) : v_(b) {}
    Value(DateTime t) : v_(t) {}
    Value(Array a) : v_(std::move(a)) {}
    Value(Struct s) : v_(std::move(s)) {}

    const Variant& variant() const { return v_; }
    bool is_nil() const { return std::holds_alternative<std::monostate>(v_); }
    template <class T>
    bool is() const {
        return std::holds_alternative<T>(v_);
    }
    // The alternative T, or ProtocolError naming `what` was expected.
    template <class T>
    const T& as(const char* what) const {
        if (const T* p = std::get_if<T>(&v_))
            return *p;
        throw ProtocolError(std::string("expected ") + what + ", got " + describe());
    }
    // A struct member, or a nil value when absent.
    const Value& member(const std::string& key) const;
    std::string describe() const;

    friend bool operator==(const Value&, const Value&) = default;

  private:
    Variant v_;
};

// Wire text of a datetime: YYYYMMDDThh:mm:ssZ. Parsing also accepts the dashed ISO form.
std::string format_datetime(DateTime t);
DateTime parse_datetime(std::string_view text);

// ---- decoding an answer into typed C++ values ----
void decode(const Value& v, std::string& out);
void decode(const Value& v, std::int64_t& out);
void decode(const Value& v, double& out);
void decode(const Value& v, bool& out);
void decode(const Value& v, DateTime& out);
inline void decode(const Value& v, Value& out) {
    out = v;
}
template <class C>
void decode(const Value& v, Ref<C>& out) {
    std::string id;
    decode(v, id);
    out = Ref<C>(std::move(id));
}
template <class T>
void decode(const Value& v, std::vector<T>& out);
template <class K, class V>
void decode(const Value& v, std::map<K, V>& out);

template <class T>
void decode(const Value& v, std::vector<T>& out) {
    out.clear();
    for (const Value& e : v.as<Array>("an array")) {
        T item{};
        decode(e, item);
        out.push_back(std::move(item));
    }
}
template <class K, class V>
void decode(const Value& v, std::map<K, V>& out) {
    out.clear();
    for (const auto& [key, value] : v.as<Struct>("a struct")) {
        K k{};
        decode(Value(key), k);
        V item{};
        decode(value, item);
        out.emplace(std::move(k), std::move(item));
    }
}
template <class T>
T decode_as(const Value& v) {
    T out{};
    decode(v, out);
    return out;
}

// ---- encoding typed C++ values for a call ----
inline Value encode(const std::string& s) {
    return Value(s);
}
// 64-bit ints travel as decimal strings, the form xapi uses.
inline Value encode(std::int64_t i) {
    return Value(std::to_string(i));
}
inline Value encode(double d) {
    return Value(d);
}
inline Value encode(bool b) {
    return Value(b);
}
inline Value encode(DateTime t) {
    return Value(t);
}
inline Value encode(const Value& v) {
    return v;
}
template <class C>
Value encode(const Ref<C>& r) {
    return Value(r.str());
}
template <class T>
Value encode(const std::vector<T>& items);
template <class K, class V>
Value encode(const std::map<K, V>& items);

// A map key's text: strings as they are, everything else through its encoded string form.
inline std::string key_text(const Value& encoded) {
    return encoded.as<std::string>("a map key that encodes as a string");
}

template <class T>
Value encode(const std::vector<T>& items) {
    Array out;
    out.reserve(items.size());
    for (const T& item : items)
        out.push_back(encode(item));
    return Value(std::move(out));
}
template <class K, class V>
Value encode(const std::map<K, V>& items) {
    Struct out;
    for (const auto& [k, v] : items)
        out.emplace(key_text(encode(k)), encode(v));
    return Value(std::move(out));
}

}  // namespace tern::xenapi
