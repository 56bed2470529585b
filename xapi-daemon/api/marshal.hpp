// Defines the conversions between what arrives on the wire and the canonical values that the
// store keeps, and back, driven by the generated type descriptors.
//
// Canonical forms: string, enum (canonical spelling) and ref as std::string; int as int64;
// float as double; bool as bool; datetime as rpc::DateTime "YYYYMMDDThh:mm:ssZ"; set as an
// Array without duplicates; map as a Struct keyed by the key's text; record as a Struct with
// every field.
#pragma once

#include <chrono>
#include <string>

#include "api/meta.hpp"
#include "rpc/value.hpp"

namespace tern::xapi {

// Accepts what real clients send (ints as strings or XML-RPC ints, bools as 0/1, enums in
// any case, either datetime spelling) and returns the canonical value. Throws
// FIELD_TYPE_ERROR(what) or INVALID_VALUE(what, value).
rpc::Value normalize(const rpc::Value& in, const TypeDesc& type, const std::string& what);

// Normalizes a record for `create`: every field of `cls` present, the given ones checked,
// read-only ones ignored, the rest from their defaults.
rpc::Struct normalize_record(const rpc::Value& in, const ClassDesc& cls, const std::string& what);

// The value a new object's field gets when nobody says otherwise.
rpc::Value default_value(const FieldDesc& field);

// A new object's record: every field of `cls` at its default, and a fresh uuid.
rpc::Struct new_record(const ClassDesc& cls);

// The wire form of a canonical value: ints become decimal strings, as the API requires.
rpc::Value encode(const rpc::Value& canonical, const TypeDesc& type);

// The wire form of a whole record: every field of the class, encoded.
rpc::Struct encode_record(const rpc::Struct& record, const ClassDesc& cls);

// The class of that name, or null.
const ClassDesc* find_class(std::string_view name);

// Datetimes in xapi's form.
rpc::DateTime format_datetime(std::chrono::system_clock::time_point t);

}  // namespace tern::xapi
