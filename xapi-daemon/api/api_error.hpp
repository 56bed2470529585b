// Defines ApiError, the exception that carries a XenAPI failure (a code and its string
// parameters) from wherever it is raised to the one place that turns it into a Failure result.
#pragma once

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace tern::xapi {

class ApiError : public std::runtime_error {
  public:
    ApiError(std::string code, std::vector<std::string> params)
        : std::runtime_error(code), code_(std::move(code)), params_(std::move(params)) {}

    const std::string& code() const { return code_; }
    const std::vector<std::string>& params() const { return params_; }

    static ApiError not_implemented(std::string function) {
        return ApiError("NOT_IMPLEMENTED", {std::move(function)});
    }
    static ApiError handle_invalid(std::string cls, std::string handle) {
        return ApiError("HANDLE_INVALID", {std::move(cls), std::move(handle)});
    }
    static ApiError internal(std::string message) {
        return ApiError("INTERNAL_ERROR", {std::move(message)});
    }

  private:
    std::string code_;
    std::vector<std::string> params_;
};

}  // namespace tern::xapi
