// Defines the descriptors of the datamodel that the generator emits as constant tables:
// types, enums, fields, parameters, messages and classes. The dispatcher, the marshalling and
// the store are driven by these tables; only the generated code creates them.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "rpc/value.hpp"

namespace tern::xapi {

class CallContext;

enum class Kind : std::uint8_t {
    string,
    integer,
    floating,
    boolean,
    datetime,
    enumeration,
    ref,
    set,
    map,
    record,
    void_
};

struct EnumDesc {
    const char* name;
    std::span<const char* const> values;
};

struct ClassDesc;

struct TypeDesc {
    Kind kind;
    const char* text;             // the schema's spelling, for messages
    const EnumDesc* enumeration;  // for enums
    const char* class_name;       // for refs and records
    const TypeDesc* elem;         // for sets
    const TypeDesc* key;          // for maps
    const TypeDesc* value;        // for maps
};

enum class Qualifier : std::uint8_t { ro_run, ro_ins, rw };

using MakeValue = rpc::Value (*)();

struct FieldDesc {
    const char* name;
    const TypeDesc* type;
    Qualifier qualifier;
    MakeValue make_default;  // the value a new object gets
    // A bound field (reference §2.4): this ref field's object lists us in its set field
    // `inverse` of class `inverse_class`.
    const char* inverse_class;
    const char* inverse;
};

struct ParamDesc {
    const char* name;
    const TypeDesc* type;
    MakeValue make_default;  // null when the parameter is required
};

enum class Implicit : std::uint8_t {
    none,
    get_field,
    set_field,
    add_to_map,
    remove_from_map,
    add_to_set,
    remove_from_set,
    get_record,
    get_by_uuid,
    get_by_name_label,
    get_all,
    get_all_records,
    create,
    destroy
};

// Calls the hand-written handler of an explicit message with decoded, checked arguments.
using Thunk = rpc::Value (*)(CallContext& ctx, const rpc::Array& args);

struct MessageDesc {
    const char* name;  // without the class: "start"
    std::span<const ParamDesc> params;
    const TypeDesc* result;
    Implicit implicit;
    int field;  // index into the class's fields for field accessors, else -1
    bool has_async;
    bool is_static;  // no object parameter first
    bool needs_session;
    const char* min_role;  // empty: everyone
    std::span<const char* const> errors;
    Thunk thunk;  // explicit messages only
};

struct ClassDesc {
    const char* name;
    std::span<const FieldDesc> fields;
    std::span<const MessageDesc> messages;
    bool persist;  // kept in the database (sessions are not)
};

// The generated tables.
std::span<const ClassDesc> schema_classes();
int schema_api_version_major();
int schema_api_version_minor();
const char* schema_api_vendor();
std::span<const char* const> schema_create_table_statements();

}  // namespace tern::xapi
