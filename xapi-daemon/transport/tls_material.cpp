// Self-signed certificate generation and the TLS server context, on OpenSSL 3.
#include "transport/tls_material.hpp"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

namespace tern::xapi {
namespace {

[[noreturn]] void openssl_fail(const std::string& what) {
    char buf[256];
    ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
    throw std::runtime_error(what + ": " + buf);
}

struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
    void operator()(X509* c) const { X509_free(c); }
};
struct FileClose {
    void operator()(FILE* f) const { std::fclose(f); }
};
struct ExtFree {
    void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};

std::unique_ptr<FILE, FileClose> open_private(const std::filesystem::path& path, mode_t mode) {
    const mode_t old = umask(077);
    std::unique_ptr<FILE, FileClose> f{std::fopen(path.c_str(), "w")};
    umask(old);
    if (!f)
        throw std::runtime_error("cannot write " + path.string());
    chmod(path.c_str(), mode);
    return f;
}

}  // namespace

TlsFiles ensure_self_signed(const std::filesystem::path& dir, const std::string& hostname) {
    TlsFiles files{dir / "xapid.pem", dir / "xapid.key"};
    if (std::filesystem::exists(files.certificate) && std::filesystem::exists(files.key)) {
        return files;
    }
    std::unique_ptr<EVP_PKEY, KeyFree> key{EVP_EC_gen("P-256")};
    if (!key)
        openssl_fail("cannot make a key");
    std::unique_ptr<X509, CertFree> cert{X509_new()};
    if (!cert)
        openssl_fail("cannot make a certificate");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::time(nullptr)));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("Tern xapid"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    const std::string san = "DNS:" + hostname + ",DNS:localhost,IP:127.0.0.1";
    for (auto [nid, value] : {std::pair{NID_subject_alt_name, san},
                              std::pair{NID_basic_constraints, std::string("critical,CA:TRUE")}}) {
        std::unique_ptr<X509_EXTENSION, ExtFree> ext{
            X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str())};
        if (!ext || X509_add_ext(cert.get(), ext.get(), -1) != 1)
            openssl_fail("cannot add an extension");
    }
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0)
        openssl_fail("cannot sign");

    std::filesystem::create_directories(dir);
    auto key_file = open_private(files.key, 0600);
    if (PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
        1) {
        openssl_fail("cannot write the key");
    }
    auto cert_file = open_private(files.certificate, 0644);
    if (PEM_write_X509(cert_file.get(), cert.get()) != 1)
        openssl_fail("cannot write the certificate");
    return files;
}

boost::asio::ssl::context make_server_context(const TlsFiles& files) {
    boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_server);
    ctx.set_options(boost::asio::ssl::context::default_workarounds |
                    boost::asio::ssl::context::no_sslv2 | boost::asio::ssl::context::no_sslv3 |
                    boost::asio::ssl::context::no_tlsv1 | boost::asio::ssl::context::no_tlsv1_1 |
                    boost::asio::ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    SSL_CTX_set_cipher_list(ctx.native_handle(), "HIGH:!aNULL:!MD5:!RC4:!3DES");
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(files.certificate.string(), ec);
    if (!ec)
        ctx.use_private_key_file(files.key.string(), boost::asio::ssl::context::pem, ec);
    if (ec) {
        throw std::runtime_error("cannot load TLS certificate " + files.certificate.string() +
                                 ": " + ec.message());
    }
    return ctx;
}

}  // namespace tern::xapi
