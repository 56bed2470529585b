// Errors: the binding reports problems with exceptions.
//
//   Failure        the server answered a XenAPI error: code() ("VM_BAD_POWER_STATE") and
//                  params() (the error's parameters, in the order the schema names them).
//                  Every error code of the schema has its own subclass in
//                  tern::xenapi::errors (errors_generated.hpp), so a caller may catch
//                  errors::VM_BAD_POWER_STATE alone; codes the schema does not know arrive as
//                  a plain Failure.
//   TransportError the connection could not be made or broke (TLS verification included).
//   ProtocolError  (value.hpp) the answer was not XML-RPC of the shape the schema promises.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace tern::xenapi {

class Failure : public std::runtime_error {
  public:
    Failure(std::string code, std::vector<std::string> params);

    const std::string& code() const { return code_; }
    const std::vector<std::string>& params() const { return params_; }
    // The i-th parameter, or "" when the server sent fewer.
    const std::string& param(std::size_t i) const;

  private:
    std::string code_;
    std::vector<std::string> params_;
};

class TransportError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Throws the subclass of Failure for `code` (generated), or a plain Failure.
[[noreturn]] void throw_failure(std::string code, std::vector<std::string> params);

}  // namespace tern::xenapi
