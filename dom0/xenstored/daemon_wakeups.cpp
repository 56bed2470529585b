#include "xenstored/daemon_wakeups.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "xenstored/xenstore_client.hpp"

namespace tern::dom0::xenstored {

UniqueFd stop_signal_fd() {
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    if (::sigprocmask(SIG_BLOCK, &stop, nullptr) != 0)
        throw std::system_error(errno, std::generic_category(), "block signals");
    UniqueFd signals(::signalfd(-1, &stop, SFD_CLOEXEC));
    if (!signals.valid())
        throw std::system_error(errno, std::generic_category(), "signalfd");
    ::signal(SIGPIPE, SIG_IGN);
    return signals;
}

void forward_watch_events(std::string socket, std::vector<std::string> paths, std::string token,
                          int wake) {
    XenstoreClient watcher(socket);
    bool ok = watcher.connected();
    for (const std::string& path : paths)
        ok = ok && watcher.watch(path, token).ok();
    while (ok) {
        ok = watcher.next_event().ok();
        const char byte = ok ? 'w' : 'x';
        [[maybe_unused]] const ssize_t n = ::write(wake, &byte, 1);
    }
    const char lost = 'x';
    [[maybe_unused]] const ssize_t n = ::write(wake, &lost, 1);
}

}  // namespace tern::dom0::xenstored
