// The XenAPI error codes with their parameter names and documentation (generated from
// schema/errors.toml), and the sentence xm prints for a failure.
#pragma once

#include <string>
#include <vector>

namespace tern::cli {

struct ErrorText {
    std::string code;
    std::vector<std::string> params;
    std::string doc;
};

const std::vector<ErrorText>& error_texts();

class ApiFailure;

// "VM_BAD_POWER_STATE: The VM is not in a power state that allows this. (vm: OpaqueRef:..,
// expected: running, actual: halted)"; unknown codes print their parameters as they came.
std::string describe_failure(const std::string& code, const std::vector<std::string>& params);

}  // namespace tern::cli
