// ConfigError's text form.
#include "config/config_error.hpp"

namespace tern::cli {

std::string ConfigError::to_string() const {
    std::string text = file;
    if (where.line > 0) {
        text += ':' + std::to_string(where.line);
        if (where.column > 0) {
            text += ':' + std::to_string(where.column);
        }
    }
    if (!text.empty()) {
        text += ": ";
    }
    return text + message;
}

}  // namespace tern::cli
