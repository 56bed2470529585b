// xapid: the XenAPI daemon. Parses its options, opens the state directory, starts the
// listeners and serves until SIGINT or SIGTERM.
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <string>
#include <thread>

#include "api/api_service.hpp"
#include "transport/server.hpp"
#include "transport/tls_material.hpp"

namespace {

std::string hostname() {
    char buf[256] = {};
    gethostname(buf, sizeof buf - 1);
    return buf;
}

// Lets xapid hold as many connections as the hard limit on descriptors allows.
void raise_fd_limit() {
    struct rlimit lim {};
    if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
        lim.rlim_cur = lim.rlim_max;
        setrlimit(RLIMIT_NOFILE, &lim);
    }
}

// glibc keeps at most 7 freed blocks of each size per thread (its tcache) and sends the rest
// through its arenas' shared lists, under a lock and with consolidations: an event answered to
// a hundred watchers takes and frees hundreds of blocks of a few sizes on each I/O thread
// (with room for 1000, a sixth less daemon CPU per delivered event, and the p99 event delay of
// bench/vm_lifecycle at 580 changes/s 3.6-4.4 ms instead of 4.6-5.0). glibc reads the setting
// only as a program starts, so xapid starts itself again, once, with it added to
// GLIBC_TUNABLES (unless that sets a count already). If that fails it carries on as it is.
void restart_with_larger_malloc_cache(char** argv) {
#if !defined(__SANITIZE_ADDRESS__)  // AddressSanitizer has an allocator of its own
    constexpr const char* kRestarted = "TERN_XAPID_MALLOC_TUNED";
    if (getenv(kRestarted) != nullptr) {
        unsetenv(kRestarted);
        return;
    }
    const char* set = getenv("GLIBC_TUNABLES");
    const bool had_tunables = set != nullptr;
    const std::string tunables = had_tunables ? set : "";
    if (tunables.find("glibc.malloc.tcache_count") != std::string::npos)
        return;
    const std::string tuned =
        tunables + (tunables.empty() ? "" : ":") + "glibc.malloc.tcache_count=1000";
    // The binary's own path, not /proc/self/exe: the process keeps its name (pidof xapid).
    char self[4096] = {};
    const ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    if (length <= 0 || static_cast<std::size_t>(length) >= sizeof self - 1)
        return;
    setenv("GLIBC_TUNABLES", tuned.c_str(), 1);
    setenv(kRestarted, "1", 1);
    execv(self, argv);
    // Not restarted: as before.
    unsetenv(kRestarted);
    if (had_tunables)
        setenv("GLIBC_TUNABLES", tunables.c_str(), 1);
    else
        unsetenv("GLIBC_TUNABLES");
#else
    (void)argv;
#endif
}

}  // namespace

int main(int argc, char** argv) {
    restart_with_larger_malloc_cache(argv);
    CLI::App app{"xapid: the Tern XenAPI daemon (XML-RPC over HTTPS, Unix sockets and stdio)"};
    std::string backend = "sim";
    std::string state_dir = "/var/lib/xapid";
    std::vector<std::string> https;
    std::vector<std::string> unix_paths;
    bool stdio = false;
    // Threads sized to the machine (a small dom0 has one or two CPUs): an I/O thread per CPU
    // (at most four: the event answers a change wakes are built and written on them, so one
    // change's fan-out to many watchers uses every CPU), a worker per CPU (at least two, so
    // that one slow call does not hold the rest up; at most eight).
    const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
    unsigned workers = std::clamp(cpus, 2u, 8u);
    unsigned io_threads = std::clamp(cpus, 1u, 4u);
    std::size_t body_limit = 16 * 1024 * 1024;
    unsigned idle_timeout_s = 120;
    unsigned request_timeout_s = 30;
    unsigned session_timeout_s = 24 * 3600;
    std::int64_t sim_memory_mib = 16384;
    std::int64_t sim_cpus = 8;
    unsigned sim_latency_ms = 0;
    bool sim_persist = false;
    unsigned task_workers = 8;
    std::size_t event_queue = 10000;
    unsigned task_retention_s = 3600;
    unsigned metrics_interval_ms = 5000;
    unsigned shutdown_timeout_s = 120;
    app.set_config("--config", "", "read options from this file (TOML or INI; flags override it)");
    app.add_option("--backend", backend,
                   "the hypervisor backend: sim, or tern (real domains, in dom0 on Tern)")
        ->check(CLI::IsMember({"sim", "tern"}))
        ->capture_default_str();
    app.add_option("--state-dir", state_dir, "database and TLS material live here")
        ->capture_default_str();
    app.add_option("--https", https, "serve HTTPS on ADDR:PORT (repeatable)");
    app.add_option("--unix", unix_paths, "serve on a Unix socket at PATH (repeatable)");
    app.add_flag("--stdio", stdio, "serve one connection on stdin/stdout (for ssh) and exit");
    app.add_option("--workers", workers, "RPC worker threads")
        ->check(CLI::Range(1u, 256u))
        ->capture_default_str();
    app.add_option("--io-threads", io_threads, "I/O threads")
        ->check(CLI::Range(1u, 64u))
        ->capture_default_str();
    app.add_option("--body-limit", body_limit, "largest request body in bytes (more: HTTP 413)")
        ->capture_default_str();
    app.add_option("--idle-timeout", idle_timeout_s, "seconds a keep-alive connection may idle")
        ->capture_default_str();
    app.add_option("--request-timeout", request_timeout_s, "seconds to send one whole request")
        ->capture_default_str();
    app.add_option("--session-timeout", session_timeout_s, "seconds an unused session lives")
        ->capture_default_str();
    app.add_option("--task-workers", task_workers, "threads running Async tasks")
        ->check(CLI::Range(1u, 256u))
        ->capture_default_str();
    app.add_option("--event-queue", event_queue,
                   "events kept for event.next/event.from (a reader further behind: EVENTS_LOST)")
        ->check(CLI::Range(std::size_t{1}, std::size_t{100000000}))
        ->capture_default_str();
    app.add_option("--task-retention", task_retention_s, "seconds a finished task is kept")
        ->capture_default_str();
    app.add_option("--metrics-interval", metrics_interval_ms,
                   "milliseconds between refreshes of VM and host metrics")
        ->check(CLI::Range(10u, 3600000u))
        ->capture_default_str();
    app.add_option("--shutdown-timeout", shutdown_timeout_s,
                   "seconds clean_shutdown waits for a guest")
        ->capture_default_str();
    app.add_option("--sim-host-memory", sim_memory_mib, "sim backend: the host's memory in MiB")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{1} << 32))
        ->capture_default_str();
    app.add_option("--sim-host-cpus", sim_cpus, "sim backend: the host's CPUs")
        ->check(CLI::Range(std::int64_t{1}, std::int64_t{4096}))
        ->capture_default_str();
    app.add_option("--sim-latency", sim_latency_ms,
                   "sim backend: milliseconds every domain operation takes")
        ->capture_default_str();
    app.add_flag("--sim-persist", sim_persist,
                 "sim backend: keep the simulated domains in the state directory, so that they "
                 "outlive xapid as a real host's do");
    CLI11_PARSE(app, argc, argv);

    if (!stdio && https.empty() && unix_paths.empty()) {
        std::cerr << "xapid: nothing to serve: give --https, --unix or --stdio (see --help)\n";
        return 2;
    }
    raise_fd_limit();
    // Answers are built and freed at a high rate on several threads: keep the heap's top
    // rather than give it back to the kernel and ask again (brk) many times a second.
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
    mallopt(M_TOP_PAD, 8 << 20);
    // Block the stop signals in every thread; the main thread waits for them below.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    try {
        tern::xapi::ApiConfig config;
        config.state_dir = state_dir;
        config.backend = backend;
        config.workers = workers;
        config.session_idle_timeout = std::chrono::seconds(session_timeout_s);
        config.sim.memory_total = sim_memory_mib << 20;
        config.sim.cpus = sim_cpus;
        config.sim.latency = std::chrono::milliseconds(sim_latency_ms);
        if (sim_persist)
            config.sim.persist_file = std::filesystem::path(state_dir) / "sim-domains";
        config.task_workers = task_workers;
        config.event_queue = event_queue;
        config.task_retention = std::chrono::seconds(task_retention_s);
        config.metrics_interval = std::chrono::milliseconds(metrics_interval_ms);
        config.shutdown_timeout = std::chrono::seconds(shutdown_timeout_s);
        auto api = tern::xapi::make_api_service(config);

        tern::xapi::TransportLimits limits;
        limits.body_limit = body_limit;
        limits.idle_timeout = std::chrono::seconds(idle_timeout_s);
        limits.request_timeout = std::chrono::seconds(request_timeout_s);
        tern::xapi::Server server(*api, limits);

        if (stdio) {
            server.serve_stdio(dup(STDIN_FILENO), dup(STDOUT_FILENO));
            server.run(1);
            // The API goes first, while the transport's executors still exist for the
            // answers it may still give.
            api->stop_waiting();
            api.reset();
            return 0;
        }
        if (!https.empty()) {
            auto files = tern::xapi::ensure_self_signed(state_dir, hostname());
            for (const std::string& address : https) {
                const unsigned short port =
                    server.listen_https(address, tern::xapi::make_server_context(files));
                std::cerr << "xapid: serving HTTPS on " << address << " (port " << port << ")\n";
            }
        }
        for (const std::string& path : unix_paths) {
            server.listen_unix(path);
            std::cerr << "xapid: serving on Unix socket " << path << "\n";
        }
        std::cerr << "xapid: ready (backend " << backend << ", state " << state_dir << ")"
                  << std::endl;

        std::thread waiter([&] {
            int sig = 0;
            sigwait(&stop_signals, &sig);
            std::cerr << "xapid: stopping on signal " << sig << "\n";
            api->stop_waiting();
            server.stop();
        });
        server.run(io_threads);
        waiter.join();
        api.reset();
        std::cerr << "xapid: stopped\n";
    } catch (const std::exception& e) {
        std::cerr << "xapid: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
