// Defines the TLS material of xapid: a self-signed certificate and key made on first start
// (EC P-256, CN = the host name, SANs for it, localhost and 127.0.0.1) and the server context
// that uses them (TLS 1.2 and 1.3 only).
#pragma once

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <string>

namespace tern::xapi {

struct TlsFiles {
    std::filesystem::path certificate;  // PEM
    std::filesystem::path key;          // PEM, mode 0600
};

// Creates the pair in `dir` (xapid.pem, xapid.key) unless both exist; returns their paths.
// Throws std::runtime_error when OpenSSL fails.
TlsFiles ensure_self_signed(const std::filesystem::path& dir, const std::string& hostname);

// A server context for the pair. Throws std::runtime_error on a bad file.
boost::asio::ssl::context make_server_context(const TlsFiles& files);

}  // namespace tern::xapi
