// ssh://[user@]host[:port]: a child `ssh [-p port] target <remote command>` whose stdin and
// stdout carry the HTTP exchange (xapid --stdio on the far side).
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "stream.hpp"

extern char** environ;

namespace tern::xenapi::detail {
namespace {

class PipeStream : public Stream {
  public:
    PipeStream(pid_t child, int to_child, int from_child)
        : child_(child), to_child_(to_child), from_child_(from_child) {}
    ~PipeStream() override {
        ::close(to_child_);
        ::close(from_child_);
        int status = 0;
        while (::waitpid(child_, &status, 0) < 0 && errno == EINTR) {
        }
    }

    void write_all(std::string_view data) override {
        SigpipeGuard guard;
        while (!data.empty()) {
            const ssize_t n = ::write(to_child_, data.data(), data.size());
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                throw TransportError(std::string("write to ssh: ") + std::strerror(errno));
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
    }

    std::size_t read_some(char* buf, std::size_t len) override {
        for (;;) {
            const ssize_t n = ::read(from_child_, buf, len);
            if (n >= 0)
                return static_cast<std::size_t>(n);
            if (errno != EINTR)
                throw TransportError(std::string("read from ssh: ") + std::strerror(errno));
        }
    }

  private:
    pid_t child_;
    int to_child_;
    int from_child_;
};

class SshEndpoint : public Endpoint {
  public:
    SshEndpoint(std::string target, std::string port, const ConnectOptions& options)
        : target_(std::move(target)), port_(std::move(port)), options_(options) {}

    std::unique_ptr<Stream> open() override {
        std::vector<std::string> args{options_.ssh_program};
        if (!port_.empty())
            args.insert(args.end(), {"-p", port_});
        args.push_back(target_);
        args.push_back(options_.remote_command);
        std::vector<char*> argv;
        for (std::string& a : args)
            argv.push_back(a.data());
        argv.push_back(nullptr);

        int in[2], out[2];
        if (::pipe2(in, O_CLOEXEC) != 0)
            throw TransportError(std::string("pipe: ") + std::strerror(errno));
        if (::pipe2(out, O_CLOEXEC) != 0) {
            ::close(in[0]);
            ::close(in[1]);
            throw TransportError(std::string("pipe: ") + std::strerror(errno));
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
        pid_t pid = 0;
        const int rc = ::posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in[0]);
        ::close(out[1]);
        if (rc != 0) {
            ::close(in[1]);
            ::close(out[0]);
            throw TransportError("cannot run " + options_.ssh_program + ": " + std::strerror(rc));
        }
        return std::make_unique<PipeStream>(pid, in[1], out[0]);
    }

    std::string host() const override {
        const auto at = target_.find('@');
        return at == std::string::npos ? target_ : target_.substr(at + 1);
    }

  private:
    std::string target_, port_;
    ConnectOptions options_;
};

}  // namespace

std::unique_ptr<Endpoint> make_ssh_endpoint(std::string target, std::string port,
                                            const ConnectOptions& options) {
    return std::make_unique<SshEndpoint>(std::move(target), std::move(port), options);
}

}  // namespace tern::xenapi::detail
