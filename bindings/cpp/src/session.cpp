#include "tern/xenapi/session.hpp"

#include <utility>

#include "http_client.hpp"
#include "xmlrpc.hpp"

namespace tern::xenapi {

Session::Session(std::string_view url, ConnectOptions options)
    : url_(url), http_(std::make_unique<detail::HttpClient>(detail::make_endpoint(url, options))) {}

Session::~Session() {
    if (logged_in()) {
        try {
            logout();
        } catch (const std::exception&) {
            // Best effort: the server forgets idle sessions by itself.
        }
    }
}

Ref<xenapi::session> Session::login_with_password(const std::string& user,
                                                  const std::string& password,
                                                  const std::string& version,
                                                  const std::string& originator) {
    std::lock_guard lock(mutex_);
    const Value v =
        exchange("session.login_with_password", Array{user, password, version, originator});
    decode(v, session_ref_);
    return Ref<xenapi::session>(session_ref_);
}

void Session::logout() {
    std::lock_guard lock(mutex_);
    if (session_ref_.empty())
        return;
    const std::string ref = std::exchange(session_ref_, {});
    exchange("session.logout", Array{ref});
}

bool Session::logged_in() const {
    std::lock_guard lock(mutex_);
    return !session_ref_.empty();
}

Ref<xenapi::session> Session::ref() const {
    std::lock_guard lock(mutex_);
    return session_ref_.empty() ? Ref<xenapi::session>() : Ref<xenapi::session>(session_ref_);
}

Value Session::call(std::string_view method, Array params) {
    std::lock_guard lock(mutex_);
    return exchange(method, params);
}

Value Session::call_with_session(std::string_view method, Array params) {
    std::lock_guard lock(mutex_);
    params.insert(params.begin(), Value(session_ref_));
    return exchange(method, params);
}

Value Session::exchange(std::string_view method, const Array& params) {
    const Value answer = detail::decode_response(http_->post(detail::encode_call(method, params)));
    std::string status;
    decode(answer.member("Status"), status);
    if (status == "Success")
        return answer.member("Value");
    if (status != "Failure")
        throw ProtocolError("an answer with Status \"" + status + "\"");
    std::vector<std::string> description;
    decode(answer.member("ErrorDescription"), description);
    if (description.empty())
        throw ProtocolError("a Failure without an error code");
    std::string code = description.front();
    description.erase(description.begin());
    throw_failure(std::move(code), std::move(description));
}

}  // namespace tern::xenapi
