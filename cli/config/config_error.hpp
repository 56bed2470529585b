// ConfigError: what is wrong with a config file and where (file, line, column), and the
// small result type the parsers return.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace tern::cli {

struct SourcePosition {
    int line = 0;    // 1-based; 0 = unknown
    int column = 0;  // 1-based; 0 = unknown
};

struct ConfigError {
    std::string file;
    SourcePosition where;
    std::string message;

    // "file:line:column: message", leaving out what is unknown.
    std::string to_string() const;
};

// Either a value or a ConfigError.
template <typename T>
class [[nodiscard]] ConfigResult {
  public:
    ConfigResult(T value) : state_(std::move(value)) {}
    ConfigResult(ConfigError error) : state_(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<T>(state_); }
    const T& value() const { return std::get<T>(state_); }
    const ConfigError& error() const { return std::get<ConfigError>(state_); }

  private:
    std::variant<T, ConfigError> state_;
};

}  // namespace tern::cli
