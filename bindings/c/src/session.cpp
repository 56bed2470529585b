// xen_session: opening, login and logout, errors, and the call path of every generated
// function.
#include "c_runtime.hpp"

namespace tern::xenapi::c_runtime {

char* dup(const std::string& text) {
    char* out = static_cast<char*>(std::malloc(text.size() + 1));
    if (!out)
        throw std::bad_alloc();
    std::memcpy(out, text.c_str(), text.size() + 1);
    return out;
}

std::string dec_text(const Value& v) {
    return decode_as<std::string>(v);
}

Value flatten_scalars(const Value& record) {
    Struct out;
    if (!record.is<Struct>())
        return Value(std::move(out));
    for (const auto& [key, member] : record.as<Struct>("a record")) {
        const auto& var = member.variant();
        if (const auto* s = std::get_if<std::string>(&var))
            out.emplace(key, *s);
        else if (const auto* i = std::get_if<std::int64_t>(&var))
            out.emplace(key, std::to_string(*i));
        else if (const auto* b = std::get_if<bool>(&var))
            out.emplace(key, *b ? "true" : "false");
        else if (const auto* d = std::get_if<double>(&var))
            out.emplace(key, std::to_string(*d));
        else if (const auto* t = std::get_if<DateTime>(&var))
            out.emplace(key, format_datetime(*t));
    }
    return Value(std::move(out));
}

namespace {

void free_error(xen_session* s) {
    for (int i = 0; i < s->error_description_count; ++i)
        std::free(s->error_description[i]);
    std::free(s->error_description);
    s->error_description = nullptr;
    s->error_description_count = 0;
}

// Runs `body`, turning every exception into the session's error.
template <class Body>
bool guarded(xen_session* s, Body body) {
    try {
        body();
        return true;
    } catch (const Failure& f) {
        set_error(s, f.code(), f.params());
    } catch (const TransportError& e) {
        set_error(s, "TRANSPORT_ERROR", {e.what()});
    } catch (const ProtocolError& e) {
        set_error(s, "PROTOCOL_ERROR", {e.what()});
    } catch (const std::bad_alloc&) {
        set_error(s, "OUT_OF_MEMORY", {});
    } catch (const std::exception& e) {
        set_error(s, "INTERNAL_ERROR", {e.what()});
    }
    return false;
}

}  // namespace

void set_error(xen_session* s, const std::string& code, const std::vector<std::string>& params) {
    free_error(s);
    s->ok = false;
    const std::size_t n = params.size() + 1;
    s->error_description = static_cast<char**>(std::calloc(n, sizeof(char*)));
    if (!s->error_description)
        return;
    try {
        s->error_description[0] = dup(code);
        s->error_description_count = 1;
        for (const std::string& p : params)
            s->error_description[s->error_description_count++] = dup(p);
    } catch (const std::bad_alloc&) {
        // Keep what fit: ok is false either way.
    }
}

bool invoke_value(xen_session* s, const char* method, const std::function<Array()>& params,
                  const std::function<void(const Value&)>& take) {
    if (!s || !s->ok || !s->impl)
        return false;
    return guarded(s, [&] {
        const Value answer = s->impl->session.call_with_session(method, params());
        if (take)
            take(answer);
    });
}

}  // namespace tern::xenapi::c_runtime

using namespace tern::xenapi::c_runtime;

extern "C" xen_session* xen_session_open(const char* url, const xen_connect_options* options) {
    auto* s = static_cast<xen_session*>(std::calloc(1, sizeof(xen_session)));
    if (!s)
        return nullptr;
    s->ok = true;
    guarded(s, [&] {
        tern::xenapi::ConnectOptions o;
        if (options) {
            o.tls.verify = !options->tls_no_verify;
            if (options->tls_ca_file)
                o.tls.ca_file = options->tls_ca_file;
            if (options->tls_sha256_fingerprint)
                o.tls.sha256_fingerprint = options->tls_sha256_fingerprint;
            if (options->ssh_program)
                o.ssh_program = options->ssh_program;
        }
        s->impl = new xen_session_impl(url ? url : "", o);
    });
    return s;
}

extern "C" bool xen_session_login_with_password(xen_session* s, const char* uname, const char* pwd,
                                                const char* version, const char* originator) {
    if (!s || !s->ok || !s->impl)
        return false;
    return guarded(s, [&] {
        s->impl->session.login_with_password(uname ? uname : "", pwd ? pwd : "",
                                             version ? version : "2.0",
                                             originator ? originator : "tern-xenapi-c");
        s->impl->id = s->impl->session.ref().str();
    });
}

extern "C" bool xen_session_logout(xen_session* s) {
    if (!s || !s->ok || !s->impl)
        return false;
    return guarded(s, [&] {
        s->impl->id.clear();
        s->impl->session.logout();
    });
}

extern "C" bool xen_session_local_logout(xen_session* s) {
    if (!s || !s->ok || !s->impl)
        return false;
    return guarded(s, [&] {
        s->impl->session.call_with_session("session.local_logout", {});
        s->impl->id.clear();
    });
}

extern "C" const char* xen_session_id(const xen_session* s) {
    return s && s->impl && !s->impl->id.empty() ? s->impl->id.c_str() : nullptr;
}

extern "C" void xen_session_clear_error(xen_session* s) {
    if (!s)
        return;
    free_error(s);
    s->ok = true;
}

extern "C" void xen_session_free(xen_session* s) {
    if (!s)
        return;
    delete s->impl;  // logs out (best effort) and closes the connection
    free_error(s);
    std::free(s);
}
