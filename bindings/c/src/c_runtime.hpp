// What the generated C functions stand on: the C++ binding's session and values, the error
// fields of xen_session, and the conversions shared by every type.
#pragma once

#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>
#include <string>
#include <vector>

#include "tern-xenapi/xenapi.h"
#include "tern/xenapi/session.hpp"

struct xen_session_impl {
    explicit xen_session_impl(const std::string& url, const tern::xenapi::ConnectOptions& options)
        : session(url, options) {}
    tern::xenapi::Session session;
    std::string id;
};

namespace tern::xenapi::c_runtime {

// A malloc'ed copy, for results the caller frees with free().
char* dup(const std::string& text);
// A string-typed wire value (ints and nil allowed).
std::string dec_text(const Value& v);
inline Value enc_ref_text(const char* ref) {
    return Value(std::string(ref ? ref : kNullRef));
}

// The scalar types' conversions; the generated code adds one pair per enum, reference,
// record, set and map.
inline Value enc_string(const char* s) {
    return Value(std::string(s ? s : ""));
}
inline char* dec_string(const Value& v) {
    return dup(dec_text(v));
}
inline Value enc_int(std::int64_t i) {
    return encode(i);
}
inline std::int64_t dec_int(const Value& v) {
    return decode_as<std::int64_t>(v);
}
inline Value enc_float(double d) {
    return Value(d);
}
inline double dec_float(const Value& v) {
    return decode_as<double>(v);
}
inline Value enc_bool(bool b) {
    return Value(b);
}
inline bool dec_bool(const Value& v) {
    return decode_as<bool>(v);
}
inline Value enc_datetime(time_t t) {
    return Value(DateTime(std::chrono::seconds(t)));
}
inline time_t dec_datetime(const Value& v) {
    return static_cast<time_t>(decode_as<DateTime>(v).time_since_epoch().count());
}
// A record's scalar members as text (nested values left out): event snapshots in C.
Value flatten_scalars(const Value& record);

void set_error(xen_session* s, const std::string& code, const std::vector<std::string>& params);

// Runs one call with the session's reference first: true and `take` given the answer, or false
// and the error on the session. Does nothing while the session holds an error.
bool invoke_value(xen_session* s, const char* method, const std::function<Array()>& params,
                  const std::function<void(const Value&)>& take);

template <class MakeParams>
bool invoke(xen_session* s, const char* method, MakeParams make,
            const std::function<void(const Value&)>& take) {
    return invoke_value(s, method, make, take);
}

}  // namespace tern::xenapi::c_runtime
