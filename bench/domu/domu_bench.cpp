// domu-bench: the dom0 and guest halves of the domU benchmark (bench/domu/run.sh), one static
// arm64 program used unchanged on Tern and on Xen 4.17. Every time is dom0's CLOCK_MONOTONIC.
//
//   domu-bench create LOG_DIR MARKER COMMAND
//       runs COMMAND (with /bin/sh -c) and waits until a console log in LOG_DIR (a file created
//       or grown since the start) shows MARKER, looking each time inotify says LOG_DIR changed
//       (no polling loop to load dom0 while the guest boots); prints the seconds from the start of
//       COMMAND to the marker, the seconds COMMAND itself took and the log file.
//   domu-bench time COMMAND          runs COMMAND; prints the seconds it took.
//   domu-bench port LOG_FILE         waits for the guest's "tern-pingpong: port N" line; prints N.
//   domu-bench ping DOMID PORT ROUNDS
//       binds an interdomain event channel to the guest's PORT and times ROUNDS round trips
//       (notify, wait for the guest's notify back); prints min, median, mean, p90, max in µs.
//   domu-bench pong                  (in the guest) allocates an unbound port for dom0, prints
//       it and sends every event it receives straight back.
#include <cstdint>
using domid_t = std::uint16_t;  // <xen/evtchn.h> expects it from Xen's own headers
#include <xen/evtchn.h>

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "domu-bench: %s: %s\n", what.c_str(), std::strerror(errno));
    std::exit(1);
}

class FileDescriptor {
  public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int get() const { return fd_; }

  private:
    int fd_;
};

int run_shell(const std::string& command) {
    pid_t pid = ::fork();
    if (pid < 0)
        fail("fork");
    if (pid == 0) {
        ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            fail("waitpid");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

std::string read_from(const std::string& path, off_t offset) {
    FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
        return {};
    std::string text;
    char buffer[65536];
    ssize_t n;
    while ((n = ::pread(fd.get(), buffer, sizeof buffer, offset)) > 0) {
        text.append(buffer, static_cast<std::size_t>(n));
        offset += n;
    }
    return text;
}

std::map<std::string, off_t> log_sizes(const std::string& dir) {
    std::map<std::string, off_t> sizes;
    if (DIR* d = ::opendir(dir.c_str())) {
        while (dirent* entry = ::readdir(d)) {
            std::string path = dir + "/" + entry->d_name;
            struct stat st {};
            if (entry->d_name[0] != '.' && ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
                sizes[path] = st.st_size;
        }
        ::closedir(d);
    }
    return sizes;
}

constexpr auto poll_interval = std::chrono::milliseconds(2);

// Waits until a file in the directory watched by `inotify` is created or written (or 100 ms
// passed, should an event be missed), so that waiting for the guest does not keep dom0 busy.
void wait_for_change(int inotify) {
    pollfd p{inotify, POLLIN, 0};
    if (::poll(&p, 1, 100) > 0) {
        alignas(inotify_event) char events[4096];
        while (::read(inotify, events, sizeof events) > 0) {
        }
    }
}

int create(const std::string& dir, const std::string& marker, const std::string& command) {
    FileDescriptor inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (inotify.get() < 0 ||
        ::inotify_add_watch(inotify.get(), dir.c_str(), IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE) < 0)
        fail("inotify on " + dir);
    const auto before = log_sizes(dir);
    const auto start = Clock::now();
    const int rc = run_shell(command);
    const double command_seconds = seconds_since(start);
    if (rc != 0) {
        std::fprintf(stderr, "domu-bench: command exited with %d\n", rc);
        return 1;
    }
    for (;; wait_for_change(inotify.get())) {
        for (const auto& [path, size] : log_sizes(dir)) {
            auto old = before.find(path);
            const off_t from = old == before.end() ? 0 : old->second;
            if (size > from && read_from(path, from).find(marker) != std::string::npos) {
                std::printf("create-to-user-space %.3f s command %.3f s log %s\n",
                            seconds_since(start), command_seconds, path.c_str());
                return 0;
            }
        }
    }
}

int time_command(const std::string& command) {
    const auto start = Clock::now();
    const int rc = run_shell(command);
    std::printf("time %.3f s rc %d\n", seconds_since(start), rc);
    return rc;
}

int port(const std::string& path) {
    const std::string prefix = "tern-pingpong: port ";
    for (;;) {
        const std::string text = read_from(path, 0);
        if (auto at = text.find(prefix); at != std::string::npos) {
            std::printf("%ld\n", std::strtol(text.c_str() + at + prefix.size(), nullptr, 10));
            return 0;
        }
        std::this_thread::sleep_for(poll_interval);
    }
}

// The event-channel device: read() returns the ports that fired (each then stays masked until
// written back), ioctls bind and notify.
class EventChannels {
  public:
    EventChannels() : fd_(::open("/dev/xen/evtchn", O_RDWR | O_CLOEXEC)) {
        if (fd_.get() < 0)
            fail("open /dev/xen/evtchn");
    }
    std::uint32_t bind_interdomain(std::uint32_t domain, std::uint32_t remote_port) {
        ioctl_evtchn_bind_interdomain bind{domain, remote_port};
        int port = ::ioctl(fd_.get(), IOCTL_EVTCHN_BIND_INTERDOMAIN, &bind);
        if (port < 0)
            fail("bind interdomain");
        return static_cast<std::uint32_t>(port);
    }
    std::uint32_t bind_unbound(std::uint32_t remote_domain) {
        ioctl_evtchn_bind_unbound_port bind{remote_domain};
        int port = ::ioctl(fd_.get(), IOCTL_EVTCHN_BIND_UNBOUND_PORT, &bind);
        if (port < 0)
            fail("bind unbound port");
        return static_cast<std::uint32_t>(port);
    }
    void notify(std::uint32_t port) {
        ioctl_evtchn_notify n{port};
        if (::ioctl(fd_.get(), IOCTL_EVTCHN_NOTIFY, &n) < 0)
            fail("notify");
    }
    // Waits up to timeout_ms (-1: for ever) for an event; unmasks it and says whether one came.
    bool wait(int timeout_ms) {
        pollfd p{fd_.get(), POLLIN, 0};
        int n = ::poll(&p, 1, timeout_ms);
        if (n < 0 && errno != EINTR)
            fail("poll");
        if (n <= 0)
            return false;
        std::uint32_t fired[16];
        ssize_t got = ::read(fd_.get(), fired, sizeof fired);
        if (got < 0)
            fail("read");
        if (::write(fd_.get(), fired, static_cast<std::size_t>(got)) != got)
            fail("unmask");
        return got > 0;
    }

  private:
    FileDescriptor fd_;
};

int ping(std::uint32_t domain, std::uint32_t remote_port, int rounds) {
    EventChannels channels;
    const std::uint32_t local = channels.bind_interdomain(domain, remote_port);
    // Handshake: the guest answers; then whatever else is in flight is drained.
    channels.notify(local);
    if (!channels.wait(30000)) {
        std::fprintf(stderr, "domu-bench: the guest did not answer\n");
        return 1;
    }
    while (channels.wait(200)) {
    }
    std::vector<double> micros;
    micros.reserve(static_cast<std::size_t>(rounds));
    for (int i = 0; i < rounds; ++i) {
        const auto start = Clock::now();
        channels.notify(local);
        if (!channels.wait(10000)) {
            std::fprintf(stderr, "domu-bench: round %d got no answer\n", i);
            return 1;
        }
        micros.push_back(seconds_since(start) * 1e6);
    }
    std::sort(micros.begin(), micros.end());
    const double mean = std::accumulate(micros.begin(), micros.end(), 0.0) / micros.size();
    auto at = [&](double q) { return micros[static_cast<std::size_t>(q * (micros.size() - 1))]; };
    std::printf("round-trip-us min %.1f median %.1f mean %.1f p90 %.1f max %.1f rounds %d\n",
                micros.front(), at(0.5), mean, at(0.9), micros.back(), rounds);
    return 0;
}

int pong() {
    EventChannels channels;
    const std::uint32_t local = channels.bind_unbound(0);
    std::printf("tern-pingpong: port %u\n", local);
    std::fflush(stdout);
    for (;;)
        if (channels.wait(-1))
            channels.notify(local);
}

int usage() {
    std::fprintf(stderr,
                 "usage: domu-bench create LOG_DIR MARKER COMMAND | time COMMAND | "
                 "port LOG_FILE | ping DOMID PORT ROUNDS | pong\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty())
        return usage();
    const std::string& verb = args[0];
    if (verb == "create" && args.size() == 4)
        return create(args[1], args[2], args[3]);
    if (verb == "time" && args.size() == 2)
        return time_command(args[1]);
    if (verb == "port" && args.size() == 2)
        return port(args[1]);
    if (verb == "ping" && args.size() == 4)
        return ping(static_cast<std::uint32_t>(std::stoul(args[1])),
                    static_cast<std::uint32_t>(std::stoul(args[2])), std::stoi(args[3]));
    if (verb == "pong" && args.size() == 1)
        return pong();
    return usage();
}
