// TLS over TCP with OpenSSL. Verification modes (TlsOptions): the system's CAs or a given CA
// file, with the host name (or IP address) checked; a pinned SHA-256 certificate fingerprint;
// or none at all.
#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cctype>
#include <cstdio>

#include "stream.hpp"

namespace tern::xenapi::detail {
namespace {

std::string ssl_error(const char* what) {
    std::string text = what;
    while (const unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        text += std::string(": ") + buf;
    }
    return text;
}

struct CtxDeleter {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslDeleter {
    void operator()(SSL* s) const { SSL_free(s); }
};

std::string normalize_fingerprint(const std::string& text) {
    std::string out;
    for (char c : text)
        if (std::isxdigit(static_cast<unsigned char>(c)))
            out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

bool is_ip_address(const std::string& host) {
    unsigned char buf[16];
    return inet_pton(AF_INET, host.c_str(), buf) == 1 ||
           inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

class TlsStream : public Stream {
  public:
    TlsStream(int fd, SSL* ssl) : socket_(fd), ssl_(ssl) {}
    ~TlsStream() override {
        SigpipeGuard guard;
        SSL_shutdown(ssl_.get());
    }

    void write_all(std::string_view data) override {
        SigpipeGuard guard;
        while (!data.empty()) {
            std::size_t written = 0;
            if (SSL_write_ex(ssl_.get(), data.data(), data.size(), &written) != 1)
                throw TransportError(ssl_error("TLS write failed"));
            data.remove_prefix(written);
        }
    }

    std::size_t read_some(char* buf, std::size_t len) override {
        SigpipeGuard guard;  // OpenSSL may answer a broken connection with an alert
        std::size_t got = 0;
        if (SSL_read_ex(ssl_.get(), buf, len, &got) == 1)
            return got;
        const int err = SSL_get_error(ssl_.get(), 0);
        if (err == SSL_ERROR_ZERO_RETURN || err == SSL_ERROR_SYSCALL) {
            ERR_clear_error();
            return 0;  // closed (cleanly or not): the HTTP layer decides whether that is early
        }
        throw TransportError(ssl_error("TLS read failed"));
    }

  private:
    SocketStream socket_;
    std::unique_ptr<SSL, SslDeleter> ssl_;
};

class TlsEndpoint : public Endpoint {
  public:
    TlsEndpoint(std::string host, std::string port, const TlsOptions& options)
        : host_(std::move(host)), port_(std::move(port)), options_(options) {
        ctx_.reset(SSL_CTX_new(TLS_client_method()));
        if (!ctx_)
            throw TransportError(ssl_error("SSL_CTX_new"));
        SSL_CTX_set_min_proto_version(ctx_.get(), TLS1_2_VERSION);
        // A peer that closes without close_notify reads as end of stream; HTTP's framing
        // tells a complete answer from a cut one.
        SSL_CTX_set_options(ctx_.get(), SSL_OP_IGNORE_UNEXPECTED_EOF);
        pin_ = normalize_fingerprint(options_.sha256_fingerprint);
        if (options_.verify && pin_.empty()) {
            const bool loaded = options_.ca_file.empty()
                                    ? SSL_CTX_set_default_verify_paths(ctx_.get()) == 1
                                    : SSL_CTX_load_verify_locations(
                                          ctx_.get(), options_.ca_file.c_str(), nullptr) == 1;
            if (!loaded)
                throw TransportError(ssl_error("cannot load the trusted certificates"));
            SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
        } else {
            SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_NONE, nullptr);
        }
    }

    std::unique_ptr<Stream> open() override {
        const int fd = connect_tcp(host_, port_);
        SSL* ssl = SSL_new(ctx_.get());
        if (!ssl) {
            SocketStream closer(fd);
            throw TransportError(ssl_error("SSL_new"));
        }
        auto stream = std::make_unique<TlsStream>(fd, ssl);
        SSL_set_fd(ssl, fd);
        if (!is_ip_address(host_))
            SSL_set_tlsext_host_name(ssl, host_.c_str());
        if (options_.verify && pin_.empty()) {
            X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
            const int ok = is_ip_address(host_)
                               ? X509_VERIFY_PARAM_set1_ip_asc(param, host_.c_str())
                               : X509_VERIFY_PARAM_set1_host(param, host_.c_str(), 0);
            if (ok != 1)
                throw TransportError(ssl_error("cannot set the expected host name"));
        }
        SigpipeGuard guard;
        if (SSL_connect(ssl) != 1) {
            const long verify = SSL_get_verify_result(ssl);
            std::string why = ssl_error("TLS handshake failed");
            if (verify != X509_V_OK)
                why += std::string(" (certificate: ") + X509_verify_cert_error_string(verify) + ")";
            throw TransportError(why);
        }
        if (!pin_.empty())
            check_pin(ssl);
        return stream;
    }

    std::string host() const override { return host_; }

  private:
    void check_pin(SSL* ssl) const {
        X509* cert = SSL_get1_peer_certificate(ssl);
        if (!cert)
            throw TransportError("the server sent no certificate to match the fingerprint");
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        const int ok = X509_digest(cert, EVP_sha256(), md, &len);
        X509_free(cert);
        if (ok != 1)
            throw TransportError(ssl_error("cannot hash the certificate"));
        std::string hex;
        for (unsigned int i = 0; i < len; ++i) {
            char b[3];
            std::snprintf(b, sizeof b, "%02x", md[i]);
            hex += b;
        }
        if (hex != pin_)
            throw TransportError("the server's certificate has SHA-256 fingerprint " + hex +
                                 ", not the pinned one");
    }

    std::string host_, port_;
    TlsOptions options_;
    std::string pin_;
    std::unique_ptr<SSL_CTX, CtxDeleter> ctx_;
};

}  // namespace

std::unique_ptr<Endpoint> make_tls_endpoint(std::string host, std::string port,
                                            const TlsOptions& options) {
    return std::make_unique<TlsEndpoint>(std::move(host), std::move(port), options);
}

}  // namespace tern::xenapi::detail
