// PythonValue's type names and repr().
#include "config/python_value.hpp"

namespace tern::cli {

const char* PythonValue::type_name() const {
    if (is_string()) {
        return "str";
    }
    if (is_int()) {
        return "int";
    }
    if (is_bool()) {
        return "bool";
    }
    if (is_list()) {
        return "list";
    }
    return "None";
}

std::string PythonValue::repr() const {
    if (is_string()) {
        std::string text = "'";
        for (char c : as_string()) {
            if (c == '\'' || c == '\\') {
                text += '\\';
            }
            text += c;
        }
        return text + "'";
    }
    if (is_int()) {
        return std::to_string(as_int());
    }
    if (is_bool()) {
        return as_bool() ? "True" : "False";
    }
    if (is_list()) {
        std::string text = "[";
        for (const auto& item : as_list()) {
            if (text.size() > 1) {
                text += ", ";
            }
            text += item.repr();
        }
        return text + "]";
    }
    return "None";
}

}  // namespace tern::cli
