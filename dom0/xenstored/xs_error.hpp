// Defines XsError, the errors a request may fail with, and XsResult<T>, a value or an XsError.
// On the wire an error travels as its errno name ("ENOENT"), see docs/misc/xenstore.txt.
#pragma once

#include <string_view>
#include <utility>
#include <variant>

namespace tern::dom0::xenstored {

enum class XsError {
    kEINVAL,
    kEACCES,
    kEEXIST,
    kEISDIR,
    kENOENT,
    kENOMEM,
    kENOSPC,
    kEIO,
    kENOTEMPTY,
    kENOSYS,
    kEROFS,
    kEBUSY,
    kEAGAIN,
    kEISCONN,
    kE2BIG,
    kEPERM,
    kEQUOTA,
};

// The errno name sent in an ERROR reply.
std::string_view error_name(XsError error);

// The result of an operation: a value, or the error to reply with.
template <typename T>
class [[nodiscard]] XsResult {
  public:
    XsResult(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
    XsResult(XsError error) : state_(error) {}       // NOLINT: implicit by design

    bool ok() const { return std::holds_alternative<T>(state_); }
    XsError error() const { return std::get<XsError>(state_); }
    T& value() { return std::get<T>(state_); }
    const T& value() const { return std::get<T>(state_); }

  private:
    std::variant<T, XsError> state_;
};

// The value of an operation that returns nothing but may fail.
struct Done {};
using XsStatus = XsResult<Done>;
inline XsStatus ok_status() {
    return Done{};
}

}  // namespace tern::dom0::xenstored
