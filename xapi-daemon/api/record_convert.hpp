// Defines the conversions between canonical values (as the store keeps them, see
// marshal.hpp) and the C++ types of the generated typed records: from_canonical<T> and
// to_canonical. The generated code adds the specializations for every enum.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#include "api/ref.hpp"
#include "rpc/value.hpp"

namespace tern::xapi {

template <class T>
T from_canonical(const rpc::Value& v);

template <class T>
struct IsVector : std::false_type {};
template <class T>
struct IsVector<std::vector<T>> : std::true_type {};
template <class T>
struct IsMap : std::false_type {};
template <class K, class V>
struct IsMap<std::map<K, V>> : std::true_type {};

template <class T>
const T& expect(const rpc::Value& v) {
    if (!v.is<T>())
        throw std::invalid_argument("canonical value of the wrong type");
    return v.as<T>();
}

template <class T>
T from_canonical(const rpc::Value& v) {
    if constexpr (std::is_same_v<T, std::string>) {
        return expect<std::string>(v);
    } else if constexpr (std::is_same_v<T, std::int64_t>) {
        return expect<std::int64_t>(v);
    } else if constexpr (std::is_same_v<T, double>) {
        return expect<double>(v);
    } else if constexpr (std::is_same_v<T, bool>) {
        return expect<bool>(v);
    } else if constexpr (std::is_same_v<T, rpc::DateTime>) {
        return expect<rpc::DateTime>(v);
    } else if constexpr (std::is_same_v<T, Ref>) {
        return Ref{expect<std::string>(v)};
    } else if constexpr (IsVector<T>::value) {
        T out;
        for (const rpc::Value& e : expect<rpc::Array>(v)) {
            out.push_back(from_canonical<typename T::value_type>(e));
        }
        return out;
    } else if constexpr (IsMap<T>::value) {
        T out;
        for (const auto& [k, e] : expect<rpc::Struct>(v)) {
            using K = typename T::key_type;
            if constexpr (std::is_same_v<K, std::string>) {
                out.emplace(k, from_canonical<typename T::mapped_type>(e));
            } else if constexpr (std::is_same_v<K, std::int64_t>) {
                out.emplace(std::stoll(k), from_canonical<typename T::mapped_type>(e));
            } else {
                out.emplace(from_canonical<K>(rpc::Value{k}),
                            from_canonical<typename T::mapped_type>(e));
            }
        }
        return out;
    } else {
        static_assert(sizeof(T) == 0, "no canonical form for this type");
    }
}

// Enums have their own (generated) specializations.
template <class T>
rpc::Value to_canonical(const T& v) {
    if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::int64_t> ||
                  std::is_same_v<T, double> || std::is_same_v<T, bool> ||
                  std::is_same_v<T, rpc::DateTime>) {
        return rpc::Value{v};
    } else if constexpr (std::is_same_v<T, Ref>) {
        return rpc::Value{v.id};
    } else if constexpr (IsVector<T>::value) {
        rpc::Array out;
        for (const auto& e : v)
            out.push_back(to_canonical(e));
        return rpc::Value{std::move(out)};
    } else if constexpr (IsMap<T>::value) {
        rpc::Struct out;
        for (const auto& [k, e] : v) {
            using K = typename T::key_type;
            if constexpr (std::is_same_v<K, std::string>) {
                out.emplace(k, to_canonical(e));
            } else if constexpr (std::is_same_v<K, std::int64_t>) {
                out.emplace(std::to_string(k), to_canonical(e));
            } else {
                out.emplace(to_canonical(k).template as<std::string>(), to_canonical(e));
            }
        }
        return rpc::Value{std::move(out)};
    } else {
        static_assert(sizeof(T) == 0, "no canonical form for this type");
    }
}

// A field of a canonical record; a missing field reads as the type's empty value.
template <class T>
T field_from_canonical(const rpc::Struct& record, const char* name) {
    auto it = record.find(name);
    if (it == record.end() || it->second.is<rpc::Nil>()) {
        if constexpr (std::is_same_v<T, Ref>) {
            return Ref{kNullRef};
        } else {
            return T{};
        }
    }
    return from_canonical<T>(it->second);
}

}  // namespace tern::xapi
