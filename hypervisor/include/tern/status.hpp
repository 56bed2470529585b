// Defines Status and Result<T>: errors as values in the hypervisor (no exceptions). A Status
// becomes Xen's negative errno in exactly one place, the hypercall return path.
#pragma once

#include <type_traits>
#include <utility>

namespace tern {

enum class [[nodiscard]] Status{
    ok,         invalid_argument, not_found,      out_of_memory,     out_of_range,
    bad_format, not_supported,    already_exists, permission_denied, no_such_domain,
    busy,       version_mismatch,
};

// A value or the Status that explains why there is none.
template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : value_(std::move(value)), status_(Status::ok) {}
    Result(Status error) : status_(error) {}

    bool ok() const { return status_ == Status::ok; }
    Status status() const { return status_; }
    T& value() { return value_; }
    const T& value() const { return value_; }
    T* operator->() { return &value_; }
    const T* operator->() const { return &value_; }

    // The value, or `fallback` when there is none.
    T value_or(T fallback) const { return ok() ? value_ : fallback; }

  private:
    T value_{};
    Status status_;
};

}  // namespace tern
