// Unix socket connections.
#include "xenstored/socket_transport.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace tern::dom0::xenstored {

IoResult SocketTransport::read(std::span<char> out) {
    const ssize_t n = ::recv(fd_.get(), out.data(), out.size(), MSG_DONTWAIT);
    if (n > 0) {
        return IoResult{static_cast<std::size_t>(n), false};
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return IoResult{0, false};
    }
    return IoResult{0, true};
}

IoResult SocketTransport::write(std::span<const char> in) {
    const ssize_t n = ::send(fd_.get(), in.data(), in.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) {
        return IoResult{static_cast<std::size_t>(n), false};
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        return IoResult{0, false};
    }
    return IoResult{0, true};
}

std::string SocketTransport::describe() const {
    return "socket fd " + std::to_string(fd_.get());
}

UniqueFd listen_unix_socket(const std::string& path, std::string& error) {
    sockaddr_un address{};
    if (path.size() >= sizeof(address.sun_path)) {
        error = "socket path too long: " + path;
        return UniqueFd();
    }
    std::error_code ec;
    const auto directory = std::filesystem::path(path).parent_path();
    if (!directory.empty()) {
        std::filesystem::create_directories(directory, ec);
    }
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) {
        ::unlink(path.c_str());
    }
    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        error = std::string("socket: ") + std::strerror(errno);
        return UniqueFd();
    }
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        error = "bind " + path + ": " + std::strerror(errno);
        return UniqueFd();
    }
    if (::listen(fd.get(), 64) != 0) {
        error = "listen " + path + ": " + std::strerror(errno);
        return UniqueFd();
    }
    return fd;
}

UniqueFd accept_connection(int listen_fd) {
    return UniqueFd(::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
}

}  // namespace tern::dom0::xenstored
