// JSON text for collection columns, on nlohmann::json.
#include "store/value_json.hpp"

#include <nlohmann/json.hpp>

#include "store/sqlite_db.hpp"

namespace tern::xapi {
namespace {

using nlohmann::json;

json to_json(const rpc::Value& v, const TypeDesc& type) {
    switch (type.kind) {
        case Kind::integer:
            return v.is<std::int64_t>() ? json(v.as<std::int64_t>()) : json();
        case Kind::floating:
            return v.is<double>() ? json(v.as<double>()) : json();
        case Kind::boolean:
            return v.is<bool>() ? json(v.as<bool>()) : json();
        case Kind::datetime:
            return v.is<rpc::DateTime>() ? json(v.as<rpc::DateTime>().iso8601) : json();
        case Kind::set: {
            json out = json::array();
            if (v.is<rpc::Array>()) {
                for (const rpc::Value& e : v.as<rpc::Array>())
                    out.push_back(to_json(e, *type.elem));
            }
            return out;
        }
        case Kind::map:
        case Kind::record: {
            json out = json::object();
            if (v.is<rpc::Struct>()) {
                for (const auto& [k, e] : v.as<rpc::Struct>()) {
                    out[k] = type.kind == Kind::map ? to_json(e, *type.value) : json();
                }
            }
            return out;
        }
        default:
            return v.is<std::string>() ? json(v.as<std::string>()) : json();
    }
}

rpc::Value from_json(const json& j, const TypeDesc& type) {
    switch (type.kind) {
        case Kind::integer:
            if (j.is_number_integer())
                return rpc::Value{j.get<std::int64_t>()};
            break;
        case Kind::floating:
            if (j.is_number())
                return rpc::Value{j.get<double>()};
            break;
        case Kind::boolean:
            if (j.is_boolean())
                return rpc::Value{j.get<bool>()};
            break;
        case Kind::datetime:
            if (j.is_string())
                return rpc::Value{rpc::DateTime{j.get<std::string>()}};
            break;
        case Kind::set:
            if (j.is_array()) {
                rpc::Array out;
                for (const json& e : j)
                    out.push_back(from_json(e, *type.elem));
                return rpc::Value{std::move(out)};
            }
            break;
        case Kind::map:
            if (j.is_object()) {
                rpc::Struct out;
                for (auto it = j.begin(); it != j.end(); ++it) {
                    out.emplace(it.key(), from_json(it.value(), *type.value));
                }
                return rpc::Value{std::move(out)};
            }
            break;
        default:
            if (j.is_string())
                return rpc::Value{j.get<std::string>()};
            break;
    }
    throw StoreError(std::string("stored value does not match its type ") + type.text);
}

}  // namespace

std::string to_json_text(const rpc::Value& canonical, const TypeDesc& type) {
    return to_json(canonical, type).dump();
}

rpc::Value from_json_text(const std::string& text, const TypeDesc& type) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded())
        throw StoreError("stored value is not JSON: " + text.substr(0, 40));
    return from_json(j, type);
}

}  // namespace tern::xapi
