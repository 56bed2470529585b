// Defines ControlError: what the dom0 control library throws when the hypervisor refuses a
// control operation (with its errno) or a device cannot be used.
#pragma once

#include <stdexcept>
#include <string>

namespace tern::dom0 {

class ControlError : public std::runtime_error {
  public:
    ControlError(const std::string& what, int error) : std::runtime_error(what), error_(error) {}
    // The positive errno (EACCES, EPERM, ENOMEM, ...).
    int error() const { return error_; }

  private:
    int error_;
};

}  // namespace tern::dom0
