// PythonValue: the literal values a classic xm config file may assign (strings, integers,
// booleans, None and lists of them), each with the position it was written at.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "config/config_error.hpp"

namespace tern::cli {

struct PythonValue;
using PythonList = std::vector<PythonValue>;

struct PythonNone {
    bool operator==(const PythonNone&) const = default;
};

struct PythonValue {
    std::variant<PythonNone, bool, std::int64_t, std::string, PythonList> data;
    SourcePosition where;

    bool is_string() const { return std::holds_alternative<std::string>(data); }
    bool is_int() const { return std::holds_alternative<std::int64_t>(data); }
    bool is_bool() const { return std::holds_alternative<bool>(data); }
    bool is_list() const { return std::holds_alternative<PythonList>(data); }
    bool is_none() const { return std::holds_alternative<PythonNone>(data); }
    const std::string& as_string() const { return std::get<std::string>(data); }
    std::int64_t as_int() const { return std::get<std::int64_t>(data); }
    bool as_bool() const { return std::get<bool>(data); }
    const PythonList& as_list() const { return std::get<PythonList>(data); }

    // The Python type name, for error messages ("str", "int", "list", ...).
    const char* type_name() const;
    // The value as Python's repr() would print it.
    std::string repr() const;
};

// One `key = value` line of a classic config file.
struct Assignment {
    std::string key;
    SourcePosition key_where;
    PythonValue value;
};

}  // namespace tern::cli
