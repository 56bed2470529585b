// xapi-stdio-relay: joins stdin/stdout to a Unix stream socket, both ways, until both sides
// have ended. In dom0 it is what `xapid --stdio` runs while the xapid daemon serves its Unix
// socket (dom0/image/xapid-wrapper.sh), so that the ssh transport reaches the one daemon that
// owns the state instead of starting a second xapid on the same state directory; the daemon
// sees a local root peer, as ssh's logins are root's.
//   xapi-stdio-relay [SOCKET]      (default /var/run/xend/xen-api.sock)
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace {

class Fd {
  public:
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int get() const { return fd_; }

  private:
    int fd_;
};

int connect_unix(const std::string& path) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof address.sun_path) {
        std::fprintf(stderr, "xapi-stdio-relay: socket path too long: %s\n", path.c_str());
        return -1;
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        std::fprintf(stderr, "xapi-stdio-relay: cannot connect to %s: %s\n", path.c_str(),
                     std::strerror(errno));
        ::close(fd);
        return -1;
    }
    return fd;
}

// Writes all of `data`; false if the reader has gone.
bool write_all(int fd, const char* data, std::size_t size) {
    while (size > 0) {
        const ssize_t n = ::write(fd, data, size);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data += n;
        size -= static_cast<std::size_t>(n);
    }
    return true;
}

// One direction of the relay: copies what `from` has now; false once it has ended (or `to`
// can take no more).
bool pump(int from, int to) {
    std::array<char, 65536> buffer;
    const ssize_t n = ::read(from, buffer.data(), buffer.size());
    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0)
        return false;
    return write_all(to, buffer.data(), static_cast<std::size_t>(n));
}

}  // namespace

int main(int argc, char** argv) {
    const std::string path = argc > 1 ? argv[1] : "/var/run/xend/xen-api.sock";
    Fd socket(connect_unix(path));
    if (socket.get() < 0)
        return 1;
    bool from_client = true;  // stdin still open
    bool from_server = true;  // the socket still sends
    while (from_server) {
        std::array<pollfd, 2> fds{pollfd{from_client ? STDIN_FILENO : -1, POLLIN, 0},
                                  pollfd{socket.get(), POLLIN, 0}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (from_client && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            if (!pump(STDIN_FILENO, socket.get())) {
                from_client = false;
                ::shutdown(socket.get(), SHUT_WR);  // the daemon sees the end of the requests
            }
        }
        if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) {
            if (!pump(socket.get(), STDOUT_FILENO))
                from_server = false;
        }
    }
    return 0;
}
