// Resolving the connection settings, reading xm-config.xml files and the password prompt.
#include "connection/connection_settings.hpp"

#include <fcntl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

namespace tern::cli {
namespace {

struct FileSettings {
    std::optional<std::string> server;
    std::optional<std::string> user;
    std::optional<std::string> password;
};

struct DocFree {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};

std::optional<std::string> property(xmlNode* node, const char* name) {
    xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
    if (value == nullptr) {
        return std::nullopt;
    }
    std::string text(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return text;
}

// <xm><server type="Xen-API" uri="..." username="..." password="..."/></xm>
ConfigResult<FileSettings> read_config_file(const std::string& path) {
    FileSettings settings;
    std::ifstream in(path);
    if (!in) {
        return settings;  // a missing file sets nothing
    }
    std::stringstream text;
    text << in.rdbuf();
    std::string body = text.str();
    std::unique_ptr<xmlDoc, DocFree> doc(
        xmlReadMemory(body.data(), static_cast<int>(body.size()), path.c_str(), nullptr,
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
    if (!doc) {
        const xmlError* error = xmlGetLastError();
        return ConfigError{path,
                           {error ? error->line : 0, error ? error->int2 : 0},
                           "not well-formed XML; expected <xm><server uri=\"...\"/></xm>"};
    }
    xmlNode* root = xmlDocGetRootElement(doc.get());
    if (root == nullptr || xmlStrcmp(root->name, reinterpret_cast<const xmlChar*>("xm")) != 0) {
        return ConfigError{path,
                           {root ? static_cast<int>(xmlGetLineNo(root)) : 0, 0},
                           "expected the root element <xm>"};
    }
    for (xmlNode* child = root->children; child != nullptr; child = child->next) {
        if (child->type != XML_ELEMENT_NODE ||
            xmlStrcmp(child->name, reinterpret_cast<const xmlChar*>("server")) != 0) {
            continue;
        }
        auto type = property(child, "type");
        if (type && *type != "Xen-API") {
            return ConfigError{
                path,
                {static_cast<int>(xmlGetLineNo(child)), 0},
                "server type '" + *type + "' is not supported: Tern's xm speaks only Xen-API"};
        }
        settings.server = property(child, "uri");
        settings.user = property(child, "username");
        settings.password = property(child, "password");
    }
    return settings;
}

template <typename T>
void take(std::optional<T>& into, const std::optional<T>& from) {
    if (from) {
        into = from;
    }
}

bool starts_with(const std::string& text, const std::string& prefix) {
    return text.rfind(prefix, 0) == 0;
}

}  // namespace

bool ConnectionSettings::is_local_socket() const {
    return starts_with(server, "/") || starts_with(server, "unix://") ||
           starts_with(server, "httpu://");
}

std::string ConnectionSettings::socket_path() const {
    for (const char* scheme : {"unix://", "httpu://"}) {
        if (starts_with(server, scheme)) {
            return server.substr(std::string(scheme).size());
        }
    }
    return server;
}

ConnectionSources ConnectionSources::from_process() {
    ConnectionSources sources;
    sources.environment = [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        return value ? std::optional<std::string>(value) : std::nullopt;
    };
    const char* system_file = std::getenv("XM_CONFIG_FILE");
    sources.config_files.push_back(system_file ? system_file : "/etc/xen/xm-config.xml");
    if (const char* home = std::getenv("HOME")) {
        sources.config_files.push_back(std::string(home) + "/.xm/config");
    }
    return sources;
}

ConfigResult<ConnectionSettings> resolve_connection(const ConnectionFlags& flags,
                                                    const ConnectionSources& sources) {
    FileSettings merged;
    for (const auto& path : sources.config_files) {
        auto file = read_config_file(path);
        if (!file) {
            return file.error();
        }
        take(merged.server, file.value().server);
        take(merged.user, file.value().user);
        take(merged.password, file.value().password);
    }
    if (sources.environment) {
        take(merged.server, sources.environment("XM_SERVER"));
        take(merged.user, sources.environment("XM_USER"));
        take(merged.password, sources.environment("XM_PASSWORD"));
    }
    take(merged.server, flags.server);
    take(merged.user, flags.user);
    if (flags.password_file) {
        std::ifstream in(*flags.password_file);
        if (!in) {
            return ConfigError{*flags.password_file, {}, "cannot read the password file"};
        }
        std::string password;
        std::getline(in, password);
        merged.password = password;
    }
    ConnectionSettings settings;
    settings.server = merged.server.value_or(kDefaultServer);
    settings.user = merged.user.value_or("root");
    settings.password = merged.password;
    settings.insecure = flags.insecure;
    // As root on the local socket the peer's uid is the credential.
    if (!settings.password && settings.is_local_socket()) {
        settings.password = "";
    }
    return settings;
}

std::optional<std::string> prompt_password(const std::string& prompt) {
    int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return std::nullopt;
    }
    termios saved{};
    bool is_terminal = ::tcgetattr(fd, &saved) == 0;
    if (is_terminal) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    (void)!::write(fd, prompt.data(), prompt.size());
    std::string password;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n' && c != '\r') {
        password += c;
    }
    if (is_terminal) {
        ::tcsetattr(fd, TCSAFLUSH, &saved);
    }
    (void)!::write(fd, "\n", 1);
    ::close(fd);
    return password;
}

}  // namespace tern::cli
