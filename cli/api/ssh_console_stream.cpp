// The ssh transport's stream for consoles: the child ssh, its socket pair, its end.
#include "api/ssh_console_stream.hpp"

#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <stdexcept>

extern char** environ;

namespace tern::cli {
namespace {

// The ssh children this xm started; those still running when xm exits are ended then.
class SshChildren {
  public:
    ~SshChildren() {
        std::lock_guard lock(mutex_);
        for (pid_t pid : pids_) {
            ::kill(pid, SIGTERM);
            ::waitpid(pid, nullptr, 0);
        }
    }
    void add(pid_t pid) {
        std::lock_guard lock(mutex_);
        pids_.push_back(pid);
    }

  private:
    std::mutex mutex_;
    std::vector<pid_t> pids_;
};

SshChildren& children() {
    static SshChildren all;
    return all;
}

}  // namespace

std::vector<std::string> ssh_command_for(const std::string& server) {
    const std::string scheme = "ssh://";
    if (server.rfind(scheme, 0) != 0) {
        throw std::runtime_error("console: " + server + " is not an ssh:// server");
    }
    std::string authority = server.substr(scheme.size());
    authority = authority.substr(0, authority.find('/'));
    const auto at = authority.rfind('@');
    const std::string user = at == std::string::npos ? "" : authority.substr(0, at + 1);
    std::string host = at == std::string::npos ? authority : authority.substr(at + 1);
    std::string port;
    if (!host.empty() && host.front() == '[') {
        const auto close = host.find(']');
        if (close != std::string::npos && close + 1 < host.size() && host[close + 1] == ':') {
            port = host.substr(close + 2);
        }
        host = host.substr(1, close == std::string::npos ? std::string::npos : close - 1);
    } else if (const auto colon = host.rfind(':'); colon != std::string::npos) {
        port = host.substr(colon + 1);
        host = host.substr(0, colon);
    }
    if (host.empty()) {
        throw std::runtime_error("console: no host in " + server);
    }
    std::vector<std::string> command{"ssh"};
    if (!port.empty()) {
        command.insert(command.end(), {"-p", port});
    }
    command.push_back(user + host);
    command.push_back("xapid --stdio");
    return command;
}

int open_ssh_stream(const std::string& server) {
    std::vector<std::string> command = ssh_command_for(server);
    std::vector<char*> argv;
    for (std::string& word : command) {
        argv.push_back(word.data());
    }
    argv.push_back(nullptr);
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0) {
        throw std::runtime_error(std::string("console: socketpair: ") + std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pair[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, pair[1], STDOUT_FILENO);
    pid_t pid = 0;
    const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pair[1]);
    if (rc != 0) {
        ::close(pair[0]);
        throw std::runtime_error("console: cannot run ssh: " + std::string(std::strerror(rc)));
    }
    children().add(pid);
    return pair[0];
}

}  // namespace tern::cli
