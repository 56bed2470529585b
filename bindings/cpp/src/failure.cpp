#include "tern/xenapi/failure.hpp"

namespace tern::xenapi {
namespace {

std::string describe(const std::string& code, const std::vector<std::string>& params) {
    std::string text = code;
    for (const std::string& p : params)
        text += " " + p;
    return text;
}

}  // namespace

Failure::Failure(std::string code, std::vector<std::string> params)
    : std::runtime_error(describe(code, params)),
      code_(std::move(code)),
      params_(std::move(params)) {}

const std::string& Failure::param(std::size_t i) const {
    static const std::string empty;
    return i < params_.size() ? params_[i] : empty;
}

}  // namespace tern::xenapi
