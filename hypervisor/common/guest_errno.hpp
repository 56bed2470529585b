// Defines errno_of: the one place a Status becomes the negative errno a hypercall returns
// (Xen's values, which are Linux's).
#pragma once

#include <cstdint>

#include "tern/status.hpp"

namespace tern::hv {

inline constexpr std::int64_t kEperm = -1;
inline constexpr std::int64_t kEnoent = -2;
inline constexpr std::int64_t kEsrch = -3;
inline constexpr std::int64_t kEnomem = -12;
inline constexpr std::int64_t kEacces = -13;
inline constexpr std::int64_t kEfault = -14;
inline constexpr std::int64_t kEbusy = -16;
inline constexpr std::int64_t kEexist = -17;
inline constexpr std::int64_t kEinval = -22;
inline constexpr std::int64_t kEnospc = -28;
inline constexpr std::int64_t kEnosys = -38;
inline constexpr std::int64_t kEopnotsupp = -95;

constexpr std::int64_t errno_of(Status status) {
    switch (status) {
        case Status::ok:
            return 0;
        case Status::not_found:
            return kEnoent;
        case Status::out_of_memory:
            return kEnomem;
        case Status::out_of_range:
            return kEnospc;
        case Status::not_supported:
            return kEnosys;
        case Status::already_exists:
            return kEexist;
        case Status::permission_denied:
            return kEperm;
        case Status::no_such_domain:
            return kEsrch;
        case Status::busy:
            return kEbusy;
        case Status::version_mismatch:
            return kEacces;
        case Status::invalid_argument:
        case Status::bad_format:
            return kEinval;
    }
    return kEinval;
}

}  // namespace tern::hv
