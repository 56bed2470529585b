// The parser of classic xm config files: Python-syntax `key = value` statements separated by
// newlines or semicolons, with comments, where a value is a string, an integer, True, False,
// None, or a list or tuple of those. Anything else is an error naming the file, line, column
// and what was expected there.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "config/config_error.hpp"
#include "config/python_value.hpp"

namespace tern::cli {

// Parses a whole file's text; `file` names it in errors.
ConfigResult<std::vector<Assignment>> parse_classic_config(std::string_view text,
                                                           const std::string& file);

// Parses one value written on its own (a command-line override's right-hand side).
ConfigResult<PythonValue> parse_python_value(std::string_view text, const std::string& file);

}  // namespace tern::cli
