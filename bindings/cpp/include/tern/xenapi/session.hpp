// A session with one xapid: one persistent connection, and the session reference after a
// login. Connect by URL:
//
//   https://host[:port]      TLS; the certificate is verified against the system's CAs and the
//                            host name unless TlsOptions says otherwise (port 443 by default)
//   http://host[:port]       plain TCP (for tests and tunnels)
//   unix:///path or /path    xapid's Unix socket (local root logs in without a password)
//   ssh://[user@]host[:port] runs `ssh [-p port] [user@]host xapid --stdio` and speaks HTTP over
//                            its pipes; ConnectOptions::ssh_program replaces "ssh"
//
// Calls go through the generated per-class proxies: session.VM().get_all(),
// session.VM().get_record(vm), session.VM().async_start(vm, false, false) (-> Ref<task>), ...
//
// Thread safety: a Session may be shared by threads; a mutex makes each call one exclusive
// request/answer exchange on the connection, so calls from several threads are serialized.
// A call that blocks on the server (event.next, event.from with a timeout) holds the
// connection for its whole duration: watch events on a Session of their own. Proxies and
// records are plain values; do not share one being modified.
//
// Errors are exceptions (failure.hpp): Failure and its per-code subclasses, TransportError,
// ProtocolError.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "tern/xenapi/failure.hpp"
#include "tern/xenapi/proxies_fwd_generated.hpp"
#include "tern/xenapi/ref.hpp"
#include "tern/xenapi/value.hpp"

namespace tern::xenapi {

namespace detail {
class HttpClient;
}

struct TlsOptions {
    // Verify the server's certificate chain and host name (on by default).
    bool verify = true;
    // Trust the CA (or self-signed certificate) in this PEM file instead of the system's CAs.
    std::string ca_file;
    // Accept exactly the certificate whose SHA-256 fingerprint this is (hex, colons allowed),
    // whoever signed it; the chain is then not checked.
    std::string sha256_fingerprint;
};

struct ConnectOptions {
    TlsOptions tls;
    std::string ssh_program = "ssh";
    // The command run on the remote side of ssh://.
    std::string remote_command = "xapid --stdio";
};

class Session {
  public:
    explicit Session(std::string_view url, ConnectOptions options = {});
    // Logs out (best effort) when still logged in, then closes the connection.
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    // Opens the session; later calls carry its reference. `version` is the API version the
    // client speaks, `originator` names the client.
    Ref<xenapi::session> login_with_password(const std::string& user, const std::string& password,
                                             const std::string& version = "2.0",
                                             const std::string& originator = "tern-xenapi-cpp");
    void logout();
    bool logged_in() const;
    Ref<xenapi::session> ref() const;
    const std::string& url() const { return url_; }

    // One raw call: `params` go as they are (no session reference added).
    Value call(std::string_view method, Array params);
    // One raw call with this session's reference as the first parameter.
    Value call_with_session(std::string_view method, Array params);

    // The generated class accessors: xenapi::VM VM(); xenapi::host host(); ...
#include "tern/xenapi/session_accessors_generated.inc"

  private:
    Value exchange(std::string_view method, const Array& params);

    std::string url_;
    mutable std::mutex mutex_;
    std::unique_ptr<detail::HttpClient> http_;
    std::string session_ref_;
};

}  // namespace tern::xenapi
