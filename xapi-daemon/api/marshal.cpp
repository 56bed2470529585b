// Normalization of wire values and their encoding back, by type descriptor.
#include "api/marshal.hpp"

#include "api/ref.hpp"

#include <strings.h>
#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "api/api_error.hpp"
#include "api/ref.hpp"

namespace tern::xapi {
namespace {

[[noreturn]] void type_error(const std::string& what) {
    throw ApiError("FIELD_TYPE_ERROR", {what});
}

std::int64_t to_int(const rpc::Value& in, const std::string& what) {
    if (in.is<std::int64_t>())
        return in.as<std::int64_t>();
    if (in.is<std::string>()) {
        const std::string& s = in.as<std::string>();
        std::int64_t v = 0;
        const char* begin = s.data();
        const char* end = s.data() + s.size();
        if (begin != end && *begin == '+')
            ++begin;
        auto [ptr, ec] = std::from_chars(begin, end, v);
        if (ec == std::errc{} && ptr == end && begin != end)
            return v;
    }
    type_error(what);
}

double to_double(const rpc::Value& in, const std::string& what) {
    if (in.is<double>())
        return in.as<double>();
    if (in.is<std::int64_t>())
        return static_cast<double>(in.as<std::int64_t>());
    if (in.is<std::string>()) {
        const std::string& s = in.as<std::string>();
        char* end = nullptr;
        const double d = std::strtod(s.c_str(), &end);
        if (!s.empty() && end == s.c_str() + s.size())
            return d;
    }
    type_error(what);
}

bool to_bool(const rpc::Value& in, const std::string& what) {
    if (in.is<bool>())
        return in.as<bool>();
    if (in.is<std::int64_t>() && (in.as<std::int64_t>() == 0 || in.as<std::int64_t>() == 1)) {
        return in.as<std::int64_t>() == 1;
    }
    if (in.is<std::string>()) {
        const std::string& s = in.as<std::string>();
        if (strcasecmp(s.c_str(), "true") == 0 || s == "1")
            return true;
        if (strcasecmp(s.c_str(), "false") == 0 || s == "0")
            return false;
    }
    type_error(what);
}

// Accepts YYYYMMDDThh:mm:ss with an optional Z, and the dashed ISO 8601 form.
rpc::DateTime to_datetime(const rpc::Value& in, const std::string& what) {
    std::string text;
    if (in.is<rpc::DateTime>()) {
        text = in.as<rpc::DateTime>().iso8601;
    } else if (in.is<std::string>()) {
        text = in.as<std::string>();
    } else {
        type_error(what);
    }
    std::string digits;
    for (char c : text) {
        if (c != '-' && c != ':')
            digits += c;
    }
    if (!digits.empty() && (digits.back() == 'Z' || digits.back() == 'z'))
        digits.pop_back();
    int y, mo, d, h, mi, s;
    char t;
    if (digits.size() != 15 ||
        std::sscanf(digits.c_str(), "%4d%2d%2d%c%2d%2d%2d", &y, &mo, &d, &t, &h, &mi, &s) != 7 ||
        (t != 'T' && t != 't')) {
        type_error(what);
    }
    char out[32];
    std::snprintf(out, sizeof out, "%04d%02d%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
    return rpc::DateTime{out};
}

std::string key_text(const rpc::Value& key, const TypeDesc& type, const std::string& what) {
    rpc::Value k = normalize(key, type, what);
    if (k.is<std::int64_t>())
        return std::to_string(k.as<std::int64_t>());
    if (k.is<std::string>())
        return k.as<std::string>();
    type_error(what);
}

}  // namespace

rpc::Value normalize(const rpc::Value& in, const TypeDesc& type, const std::string& what) {
    switch (type.kind) {
        case Kind::string:
        case Kind::ref:
            if (in.is<std::string>())
                return in;
            type_error(what);
        case Kind::integer:
            return rpc::Value{to_int(in, what)};
        case Kind::floating:
            return rpc::Value{to_double(in, what)};
        case Kind::boolean:
            return rpc::Value{to_bool(in, what)};
        case Kind::datetime:
            return rpc::Value{to_datetime(in, what)};
        case Kind::enumeration: {
            if (!in.is<std::string>())
                type_error(what);
            const std::string& s = in.as<std::string>();
            for (const char* v : type.enumeration->values) {
                if (strcasecmp(v, s.c_str()) == 0)
                    return rpc::Value{std::string(v)};
            }
            throw ApiError("INVALID_VALUE", {what, s});
        }
        case Kind::set: {
            if (!in.is<rpc::Array>())
                type_error(what);
            rpc::Array out;
            for (const rpc::Value& e : in.as<rpc::Array>()) {
                rpc::Value n = normalize(e, *type.elem, what);
                if (std::find(out.begin(), out.end(), n) == out.end())
                    out.push_back(std::move(n));
            }
            return rpc::Value{std::move(out)};
        }
        case Kind::map: {
            if (!in.is<rpc::Struct>())
                type_error(what);
            rpc::Struct out;
            for (const auto& [k, v] : in.as<rpc::Struct>()) {
                out.insert_or_assign(key_text(rpc::Value{k}, *type.key, what),
                                     normalize(v, *type.value, what));
            }
            return rpc::Value{std::move(out)};
        }
        case Kind::record:
        case Kind::void_:
            break;
    }
    type_error(what);
}

rpc::Struct new_record(const ClassDesc& cls) {
    rpc::Struct out;
    for (const FieldDesc& f : cls.fields)
        out.emplace(f.name, default_value(f));
    out["uuid"] = make_uuid();
    return out;
}

rpc::Value default_value(const FieldDesc& field) {
    if (field.make_default != nullptr)
        return field.make_default();
    if (field.type->kind == Kind::enumeration) {
        return rpc::Value{std::string(field.type->enumeration->values[0])};
    }
    return rpc::Value{};
}

rpc::Struct normalize_record(const rpc::Value& in, const ClassDesc& cls, const std::string& what) {
    if (!in.is<rpc::Struct>())
        type_error(what);
    const rpc::Struct& given = in.as<rpc::Struct>();
    rpc::Struct out;
    for (const FieldDesc& f : cls.fields) {
        auto it = given.find(f.name);
        if (it != given.end() && f.qualifier != Qualifier::ro_run) {
            out.emplace(f.name, normalize(it->second, *f.type, f.name));
        } else {
            out.emplace(f.name, default_value(f));
        }
    }
    return out;
}

rpc::Value encode(const rpc::Value& canonical, const TypeDesc& type) {
    switch (type.kind) {
        case Kind::integer:
            if (canonical.is<std::int64_t>()) {
                return rpc::Value{std::to_string(canonical.as<std::int64_t>())};
            }
            return canonical;
        case Kind::set: {
            if (!canonical.is<rpc::Array>())
                return canonical;
            rpc::Array out;
            out.reserve(canonical.as<rpc::Array>().size());
            for (const rpc::Value& e : canonical.as<rpc::Array>())
                out.push_back(encode(e, *type.elem));
            return rpc::Value{std::move(out)};
        }
        case Kind::map: {
            if (!canonical.is<rpc::Struct>())
                return canonical;
            rpc::Struct out;
            for (const auto& [k, v] : canonical.as<rpc::Struct>()) {
                out.emplace(k, encode(v, *type.value));
            }
            return rpc::Value{std::move(out)};
        }
        case Kind::record: {
            const ClassDesc* cls = find_class(type.class_name);
            if (cls == nullptr || !canonical.is<rpc::Struct>())
                return canonical;
            return rpc::Value{encode_record(canonical.as<rpc::Struct>(), *cls)};
        }
        case Kind::void_:
            return rpc::Value{std::string()};
        default:
            return canonical;
    }
}

rpc::Struct encode_record(const rpc::Struct& record, const ClassDesc& cls) {
    rpc::Struct out;
    for (const FieldDesc& f : cls.fields) {
        auto it = record.find(f.name);
        out.emplace(f.name, encode(it != record.end() ? it->second : default_value(f), *f.type));
    }
    return out;
}

const ClassDesc* find_class(std::string_view name) {
    for (const ClassDesc& c : schema_classes()) {
        if (name == c.name)
            return &c;
    }
    return nullptr;
}

rpc::DateTime format_datetime(std::chrono::system_clock::time_point t) {
    const std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char out[32];
    std::strftime(out, sizeof out, "%Y%m%dT%H:%M:%SZ", &tm);
    return rpc::DateTime{out};
}

}  // namespace tern::xapi
