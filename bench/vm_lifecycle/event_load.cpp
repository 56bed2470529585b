// event_load: the event-delivery load of the VM life-cycle benchmark, light enough that the
// figures are xapid's. A thread per CPU the program may use (--threads), each an event loop
// (Boost.Asio over xapid's Unix socket, raw XML-RPC) owning its share of the connections, as
// independent client processes would: 100 watchers loop on event.from(["vm"], token, timeout)
// while 10 changers each set their VM's name_description to the time of the change (marked
// "@t", a pair found with memchr rather than a search for the member's name). Two runs,
// one after the other, with the same watchers:
//   saturated: the changers change as fast as their answers come back (a pause of
//     --interval-ms between, 0 by default): the throughput, and the delays of a saturated
//     daemon, which are queueing delays by definition;
//   paced: the changers together offer a fixed rate (--paced-rate changes/s, or by default
//     --paced-fraction of the change rate the saturated run reached), each at its own steady
//     interval: the delays at a stated load below saturation, against the 5 ms target.
// A watcher's delay for an event is the time its answer arrived minus the time stamp in the
// snapshot (the time the change was sent). Anchor, in the same run: the round trip of an empty
// call (VM.get_power_state) on an idle daemon. The daemon's CPU time comes from
// /proc/<pid>/stat.
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <vector>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using Socket = asio::local::stream_protocol::socket;

namespace {

struct Options {
    std::string unix_path;
    long pid = 0;
    double seconds = 10;  // of each measured run
    int watchers = 100;
    int changers = 10;
    double change_interval_ms = 0;  // the saturated run's pause between a changer's changes
    double paced_rate = 0;          // changes/s the paced run offers; 0: a fraction of saturated
    double paced_fraction = 0.5;
    bool saturated = true;  // which runs to make
    bool paced = true;
    unsigned threads = 0;  // event loops; 0: one per CPU this program may use
};

// The CPUs this process may run on (its affinity mask), at least 1.
unsigned usable_cpus() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0)
        return std::max(1u, std::thread::hardware_concurrency());
    return static_cast<unsigned>(std::max(1, CPU_COUNT(&set)));
}

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
        .count();
}

double cpu_seconds(long pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string all((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    std::istringstream rest(all.substr(all.rfind(')') + 2));
    std::vector<std::string> fields;
    for (std::string s; rest >> s;)
        fields.push_back(s);
    // utime and stime are fields 14 and 15 of the line; 12 and 13 after the command.
    return static_cast<double>(std::stol(fields.at(11)) + std::stol(fields.at(12))) /
           static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// This program's own CPU time: on a machine this small the load program shares the CPUs with
// the daemon, and its share bounds how fast watchers come back for more.
double own_cpu_seconds() {
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    auto seconds = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
    };
    return seconds(u.ru_utime) + seconds(u.ru_stime);
}

// CPU seconds every CPU of the host has spent busy (/proc/stat: all but idle and iowait), so
// that the CPU other work took during a run can be stated with its figures.
double host_busy_seconds() {
    std::ifstream f("/proc/stat");
    std::string cpu;
    f >> cpu;
    double busy = 0;
    for (int i = 0; i < 8; ++i) {
        long long ticks = 0;
        f >> ticks;
        if (i != 3 && i != 4)  // user nice system idle iowait irq softirq steal
            busy += static_cast<double>(ticks);
    }
    return busy / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '<')
            out += "&lt;";
        else if (c == '&')
            out += "&amp;";
        else
            out += c;
    }
    return out;
}

// An XML-RPC call whose parameters are already in their wire form.
std::string call_xml(std::string_view method, const std::vector<std::string>& params) {
    std::string out = "<?xml version=\"1.0\"?><methodCall><methodName>";
    out += method;
    out += "</methodName><params>";
    for (const std::string& p : params)
        out += "<param>" + p + "</param>";
    out += "</params></methodCall>";
    return out;
}

std::string str(std::string_view s) {
    return "<value><string>" + escape(s) + "</string></value>";
}

// Where `key` occurs in `body` at or after `from`, or npos. (glibc's memmem: XML is full of
// '<', which makes a first-character scan slow; this program must stay light.)
std::size_t find_in(std::string_view body, std::string_view key, std::size_t from) {
    if (from >= body.size())
        return std::string_view::npos;
    const void* at = ::memmem(body.data() + from, body.size() - from, key.data(), key.size());
    return at == nullptr ? std::string_view::npos
                         : static_cast<std::size_t>(static_cast<const char*>(at) - body.data());
}

// The text of the untyped or <string> value that follows `key` (`<name>member</name>`) found
// at `at`, and in `end` where that text ends.
std::string_view value_after(std::string_view body, std::string_view key, std::size_t at,
                             std::size_t& end) {
    at = find_in(body, "<value>", at + key.size());
    if (at == std::string_view::npos) {
        end = at;
        return {};
    }
    at += 7;
    if (body.substr(at, 8) == "<string>")
        at += 8;
    end = body.find('<', at);
    return body.substr(at, end == std::string_view::npos ? end : end - at);
}

// The text of the value of the first `key` member at or after `from`, or "" with `from` set
// to npos; `from` is left where the text ends.
std::string_view member_text(std::string_view body, std::string_view key, std::size_t& from) {
    const std::size_t at = find_in(body, key, from);
    if (at == std::string_view::npos) {
        from = at;
        return {};
    }
    return value_after(body, key, at, from);
}

// The text of the value of the last `key` member: event.from's token ends its answer, so
// that it is found without a pass over the events before it.
std::string_view last_member_text(std::string_view body, std::string_view key) {
    const std::size_t at = body.rfind(key);
    if (at == std::string_view::npos)
        return {};
    std::size_t end = 0;
    return value_after(body, key, at, end);
}

// A change's time stamp, as the changers write it into name_description: "@t" and the
// steady clock's nanoseconds. Nothing else in a VM's record has an '@'.
constexpr std::string_view kStampMark = "@t";

// The next stamp at or after `from`, or npos; `stamp` gets its digits.
std::size_t next_stamp(std::string_view body, std::size_t from, std::string_view& stamp) {
    for (;;) {
        if (from >= body.size())
            return std::string_view::npos;
        const void* at = std::memchr(body.data() + from, '@', body.size() - from);
        if (at == nullptr)
            return std::string_view::npos;
        from = static_cast<std::size_t>(static_cast<const char*>(at) - body.data());
        if (body.substr(from, kStampMark.size()) != kStampMark) {
            ++from;
            continue;
        }
        const std::size_t digits = from + kStampMark.size();
        const std::size_t end = body.find('<', digits);
        if (end == std::string_view::npos)
            return end;
        stamp = body.substr(digits, end - digits);
        return end;
    }
}
constexpr std::string_view kTokenKey = "<name>token</name>";
constexpr std::string_view kValueKey = "<name>Value</name>";

bool succeeded(std::string_view body) {
    return find_in(body, "<name>Status</name><value>Success</value>", 0) != std::string_view::npos;
}

// One keep-alive connection that sends a call and hands the answer's body to a callback.
class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(asio::io_context& io, const std::string& path) : socket_(io) {
        socket_.connect(asio::local::stream_protocol::endpoint(path));
        // Room for a whole answer, so that one read takes it (Beast reads up to the space free).
        buffer_.reserve(256 * 1024);
    }
    void call(std::string body, std::function<void(std::string)> done) {
        request_ = {http::verb::post, "/", 11};
        request_.set(http::field::host, "xapid");
        request_.set(http::field::content_type, "text/xml");
        request_.keep_alive(true);
        request_.body() = std::move(body);
        request_.prepare_payload();
        done_ = std::move(done);
        http::async_write(socket_, request_,
                          [self = shared_from_this()](boost::beast::error_code ec, std::size_t) {
                              if (ec)
                                  return self->fail(ec);
                              self->response_ = {};
                              http::async_read(self->socket_, self->buffer_, self->response_,
                                               [self](boost::beast::error_code ec, std::size_t) {
                                                   if (ec)
                                                       return self->fail(ec);
                                                   auto done = std::move(self->done_);
                                                   done(std::move(self->response_.body()));
                                               });
                          });
    }
    // A blocking call, for the set-up and the anchor.
    std::string call_now(std::string body) {
        request_ = {http::verb::post, "/", 11};
        request_.set(http::field::host, "xapid");
        request_.set(http::field::content_type, "text/xml");
        request_.keep_alive(true);
        request_.body() = std::move(body);
        request_.prepare_payload();
        http::write(socket_, request_);
        response_ = {};
        http::read(socket_, buffer_, response_);
        return std::move(response_.body());
    }
    void close() {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }

  private:
    void fail(boost::beast::error_code ec) {
        if (ec != asio::error::operation_aborted && ec != asio::error::bad_descriptor)
            std::cerr << "event_load: " << ec.message() << "\n";
    }

    Socket socket_;
    boost::beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    http::response<http::string_body> response_;
    std::function<void(std::string)> done_;
};

// What one event loop counted in one measured run. Events count when their change was sent
// within the run's window.
struct Counts {
    std::vector<double> delays_ms;  // of changes made while measuring
    long events = 0;                // delivered while measuring
    long answers = 0;               // event.from answers with events, while measuring
    long bytes = 0;                 // of those answers
    long late = 0;  // paced changes sent after their time (the previous one still unanswered)
    long failures = 0;

    void add(const Counts& o) {
        delays_ms.insert(delays_ms.end(), o.delays_ms.begin(), o.delays_ms.end());
        events += o.events;
        answers += o.answers;
        bytes += o.bytes;
        late += o.late;
        failures += o.failures;
    }
};

// One measured run's window, set by the first loop's thread and read by every loop, and the
// CPU time the daemon and this program used over it.
struct Window {
    std::atomic<std::int64_t> from_ns{0};
    std::atomic<std::int64_t> to_ns{0};  // while the run goes on: the far future
    std::atomic<long> changes{0};        // answered within the window
    double daemon_cpu = 0;               // seconds, over the window and the drain after it
    double own_cpu = 0;
    double host_busy = 0;  // every process's

    double seconds() const { return static_cast<double>(to_ns - from_ns) / 1e9; }
    bool counts(std::int64_t stamp) const { return stamp >= from_ns && stamp <= to_ns; }
};

std::string value_or_die(Connection& c, const std::string& body, const char* what) {
    std::string answer = c.call_now(body);
    if (!succeeded(answer)) {
        std::cerr << "event_load: " << what << " failed: " << answer << "\n";
        std::exit(1);
    }
    std::size_t from = 0;
    return std::string(member_text(answer, kValueKey, from));
}

double percentile(std::vector<double>& v, double q) {
    if (v.empty())
        return 0.0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<std::size_t>(q * static_cast<double>(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const std::string val = argv[i + 1];
        if (key == "--unix")
            opt.unix_path = val;
        else if (key == "--pid")
            opt.pid = std::stol(val);
        else if (key == "--seconds")
            opt.seconds = std::stod(val);
        else if (key == "--watchers")
            opt.watchers = std::stoi(val);
        else if (key == "--changers")
            opt.changers = std::stoi(val);
        else if (key == "--interval-ms")
            opt.change_interval_ms = std::stod(val);
        else if (key == "--paced-rate")
            opt.paced_rate = std::stod(val);
        else if (key == "--paced-fraction")
            opt.paced_fraction = std::stod(val);
        else if (key == "--threads")
            opt.threads = static_cast<unsigned>(std::stoul(val));
        else if (key == "--run" && (val == "saturated" || val == "paced" || val == "both")) {
            opt.saturated = val != "paced";
            opt.paced = val != "saturated";
        } else {
            std::cerr << "usage: event_load --unix PATH --pid XAPID_PID [--seconds S] "
                         "[--watchers N] [--changers N] [--interval-ms MS] "
                         "[--paced-rate CHANGES_PER_S | --paced-fraction F] "
                         "[--run saturated|paced|both] [--threads N]\n";
            return 2;
        }
    }
    if (opt.unix_path.empty() || opt.pid == 0) {
        std::cerr << "event_load: give --unix and --pid\n";
        return 2;
    }
    if (!opt.saturated && opt.paced_rate <= 0) {
        std::cerr << "event_load: a paced run alone needs --paced-rate\n";
        return 2;
    }
    // The event loops: connection n belongs to loop n % threads, and only its thread touches
    // it (and its changer's state) after the set-up.
    const unsigned threads = opt.threads > 0 ? opt.threads : usable_cpus();
    std::vector<std::unique_ptr<asio::io_context>> loops;
    std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running;
    for (unsigned t = 0; t < threads; ++t) {
        loops.push_back(std::make_unique<asio::io_context>(1));
        keep_running.push_back(asio::make_work_guard(*loops.back()));
    }
    asio::io_context& io = *loops[0];  // the set-up's and the phases' loop: the main thread
    auto setup = std::make_shared<Connection>(io, opt.unix_path);
    const std::string session = value_or_die(
        *setup, call_xml("session.login_with_password", {str("root"), str("")}), "login");
    std::vector<std::string> vms;
    for (int i = 0; i < opt.changers; ++i) {
        vms.push_back(value_or_die(
            *setup,
            call_xml("VM.create", {str(session), "<value><struct><member><name>name_label</name>" +
                                                     str("load-" + std::to_string(i)) +
                                                     "</member></struct></value>"}),
            "VM.create"));
    }

    // The anchor: sequential empty calls on an idle daemon.
    const std::string empty = call_xml("VM.get_power_state", {str(session), str(vms[0])});
    std::vector<double> round_trips;
    const double anchor_cpu0 = cpu_seconds(opt.pid);
    for (int i = 0; i < 2000; ++i) {
        const auto t0 = Clock::now();
        (void)value_or_die(*setup, empty, "VM.get_power_state");
        round_trips.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    const double empty_cpu_us = (cpu_seconds(opt.pid) - anchor_cpu0) / 2000 * 1e6;
    const double anchor_p50 = percentile(round_trips, 0.5);

    const std::string vm_classes = "<value><array><data>" + str("vm") + "</data></array></value>";
    const std::string first_answer = setup->call_now(call_xml(
        "event.from", {str(session), vm_classes, str(""), "<value><double>0</double></value>"}));
    const std::string first_token(last_member_text(first_answer, kTokenKey));

    // The measured runs, and what each loop counted in each.
    enum Run { kSaturated = 0, kPaced = 1 };
    std::array<Window, 2> windows;
    std::vector<std::array<Counts, 2>> counts(threads);
    std::atomic<int> measuring{-1};  // the run whose events count; -1: none
    struct Counting {
        Counts* counts = nullptr;
        Window* window = nullptr;
    };
    auto counting = [&](std::size_t loop) -> Counting {
        const int run = measuring.load(std::memory_order_acquire);
        if (run < 0)
            return {};
        return {&counts[loop][static_cast<std::size_t>(run)],
                &windows[static_cast<std::size_t>(run)]};
    };

    // The changers: each one call at a time on its own connection. A run is a generation: a
    // changer whose call comes back after its run ended starts the next run's chain, if any.
    struct Changer {
        std::size_t loop = 0;
        std::shared_ptr<Connection> connection;
        std::unique_ptr<asio::steady_timer> timer;
        bool busy = false;
        int generation = 0;
        std::int64_t next_ns = 0;  // paced: when the next change is due
    };
    std::vector<Changer> changers(static_cast<std::size_t>(opt.changers));
    for (std::size_t i = 0; i < changers.size(); ++i) {
        Changer& c = changers[i];
        c.loop = i % threads;
        c.connection = std::make_shared<Connection>(*loops[c.loop], opt.unix_path);
        c.timer = std::make_unique<asio::steady_timer>(*loops[c.loop]);
    }
    int runs = 0;
    std::atomic<int> generation{0};          // the run going on; 0: none
    std::atomic<std::int64_t> period_ns{0};  // paced: a changer's interval; 0: saturated
    std::atomic<bool> stopping{false};

    std::function<void(std::size_t)> change;
    auto wait_then_change = [&](std::size_t i, std::int64_t ns) {
        Changer& c = changers[i];
        c.timer->expires_after(std::chrono::nanoseconds(ns));
        c.timer->async_wait([&, i](boost::system::error_code ec) {
            if (!ec)
                change(i);
        });
    };
    auto next_change = [&](std::size_t i) {
        Changer& c = changers[i];
        const int now_generation = generation.load();
        if (c.generation != now_generation || now_generation == 0)
            return;
        const std::int64_t period = period_ns.load();
        if (period == 0) {
            if (opt.change_interval_ms <= 0)
                return asio::post(*loops[c.loop], [&, i] { change(i); });
            return wait_then_change(i, static_cast<std::int64_t>(opt.change_interval_ms * 1e6));
        }
        c.next_ns += period;
        const std::int64_t now = now_ns();
        if (c.next_ns <= now) {
            if (Counts* k = counting(c.loop).counts)
                ++k->late;
            c.next_ns = now;
            return asio::post(*loops[c.loop], [&, i] { change(i); });
        }
        wait_then_change(i, c.next_ns - now);
    };
    change = [&](std::size_t i) {
        Changer& c = changers[i];
        const int now_generation = generation.load();
        if (c.generation != now_generation || now_generation == 0 || c.busy)
            return;
        c.busy = true;
        const std::string stamp = std::string(kStampMark) + std::to_string(now_ns());
        c.connection->call(
            call_xml("VM.set_name_description", {str(session), str(vms[i]), str(stamp)}),
            [&, i](std::string body) {
                Changer& c = changers[i];
                c.busy = false;
                if (auto [k, window] = counting(c.loop); k != nullptr) {
                    if (!succeeded(body))
                        ++k->failures;
                    else if (now_ns() <= window->to_ns)
                        ++window->changes;
                }
                next_change(i);
            });
    };
    // Starts every changer on a new run: flat out (period 0) or each at its own interval,
    // spread evenly so that together they offer changers / period changes a second. Each
    // changer is started on its own loop.
    auto start_changers = [&](std::int64_t period) {
        const int run_generation = ++runs;
        period_ns = period;
        generation = run_generation;
        const std::int64_t start = now_ns();
        for (std::size_t i = 0; i < changers.size(); ++i) {
            asio::post(*loops[changers[i].loop], [&, i, run_generation, period, start] {
                Changer& c = changers[i];
                c.generation = run_generation;
                c.timer->cancel();
                c.next_ns = start + period * static_cast<std::int64_t>(i) /
                                        static_cast<std::int64_t>(changers.size());
                const std::int64_t now = now_ns();
                if (period == 0 || c.next_ns <= now)
                    return change(i);
                wait_then_change(i, c.next_ns - now);
            });
        }
    };
    auto stop_changers = [&] {
        generation = 0;
        for (Changer& c : changers)
            asio::post(*loops[c.loop], [&c] { c.timer->cancel(); });
    };

    // Watchers.
    std::vector<std::shared_ptr<Connection>> watchers;
    std::function<void(std::size_t, std::string)> watch = [&](std::size_t w, std::string token) {
        if (stopping)
            return;
        watchers[w]->call(
            call_xml("event.from",
                     {str(session), vm_classes, str(token), "<value><double>5.0</double></value>"}),
            [&, w, token](std::string body) {
                const std::int64_t arrived = now_ns();
                auto [k, window] = counting(w % threads);
                if (!succeeded(body)) {
                    if (k != nullptr)
                        ++k->failures;
                    return watch(w, "");
                }
                long found = 0;
                std::string_view stamp;
                for (std::size_t at = 0;
                     (at = next_stamp(body, at, stamp)) != std::string_view::npos;) {
                    std::int64_t changed = 0;
                    const auto [end, ec] =
                        std::from_chars(stamp.data(), stamp.data() + stamp.size(), changed);
                    if (stamp.empty() || ec != std::errc{} || end != stamp.data() + stamp.size())
                        continue;
                    if (k != nullptr && window->counts(changed)) {
                        ++found;
                        k->delays_ms.push_back(static_cast<double>(arrived - changed) / 1e6);
                    }
                }
                if (found > 0) {
                    k->events += found;
                    ++k->answers;
                    k->bytes += static_cast<long>(body.size());
                }
                const std::string_view next = last_member_text(body, kTokenKey);
                watch(w, next.empty() ? token : std::string(next));
            });
    };
    for (int i = 0; i < opt.watchers; ++i) {
        const std::size_t w = watchers.size();
        watchers.push_back(std::make_shared<Connection>(*loops[w % threads], opt.unix_path));
        asio::post(*loops[w % threads], [&, w] { watch(w, first_token); });
    }

    // One run: a second of warming up, the measured window, then half a second in which the
    // last deliveries of the window still count; then `then`.
    asio::steady_timer phase(io);
    std::function<void(Run, std::int64_t, std::function<void()>)> run =
        [&](Run r, std::int64_t period, std::function<void()> then) {
            start_changers(period);
            phase.expires_after(std::chrono::seconds(1));
            phase.async_wait([&, r, then](boost::system::error_code) {
                Window& f = windows[r];
                f.to_ns = INT64_MAX;
                f.from_ns = now_ns();
                f.daemon_cpu = -cpu_seconds(opt.pid);
                f.own_cpu = -own_cpu_seconds();
                f.host_busy = -host_busy_seconds();
                measuring.store(r, std::memory_order_release);
                phase.expires_after(std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(opt.seconds)));
                phase.async_wait([&, r, then](boost::system::error_code) {
                    Window& f = windows[r];
                    f.to_ns = now_ns();
                    stop_changers();
                    phase.expires_after(std::chrono::milliseconds(500));
                    phase.async_wait([&, r, then](boost::system::error_code) {
                        Window& f = windows[r];
                        f.daemon_cpu += cpu_seconds(opt.pid);
                        f.own_cpu += own_cpu_seconds();
                        f.host_busy += host_busy_seconds();
                        measuring.store(-1, std::memory_order_release);
                        then();
                    });
                });
            });
        };

    double offered = 0;
    auto finish = [&] {
        stopping = true;
        for (std::size_t w = 0; w < watchers.size(); ++w)
            asio::post(*loops[w % threads], [&, w] { watchers[w]->close(); });
        for (Changer& c : changers)
            asio::post(*loops[c.loop], [&c] { c.connection->close(); });
        keep_running.clear();
    };
    auto paced_run = [&] {
        if (!opt.paced)
            return finish();
        offered = opt.paced_rate > 0
                      ? opt.paced_rate
                      : opt.paced_fraction * static_cast<double>(windows[kSaturated].changes) /
                            windows[kSaturated].seconds();
        offered = std::max(offered, 1.0);
        run(kPaced, static_cast<std::int64_t>(1e9 * opt.changers / offered), finish);
    };
    phase.expires_after(std::chrono::milliseconds(500));
    phase.async_wait([&](boost::system::error_code) {
        if (opt.saturated)
            run(kSaturated, 0, paced_run);
        else
            paced_run();
    });
    std::vector<std::thread> others;
    for (unsigned t = 1; t < threads; ++t)
        others.emplace_back([&loop = *loops[t]] { loop.run(); });
    io.run();
    for (std::thread& t : others)
        t.join();

    auto report = [&](Run r) {
        Counts f;
        for (auto& by_run : counts)
            f.add(by_run[r]);
        const Window& w = windows[r];
        const double window = w.seconds();
        const double p50 = percentile(f.delays_ms, 0.5);
        const double p99 = percentile(f.delays_ms, 0.99);
        std::printf("  %ld changes (%.0f/s), %ld events delivered (%.0f/s), %ld failed calls\n",
                    w.changes.load(), static_cast<double>(w.changes) / window, f.events,
                    static_cast<double>(f.events) / window, f.failures);
        std::printf(
            "  %.1f events and %.0f bytes per event.from answer\n",
            f.answers ? static_cast<double>(f.events) / static_cast<double>(f.answers) : 0.0,
            f.answers ? static_cast<double>(f.bytes) / static_cast<double>(f.answers) : 0.0);
        std::printf(
            "  daemon CPU %.1f us per delivered event (%.0f%% of one CPU; anchor: %.1f us "
            "per empty call)\n",
            f.events ? w.daemon_cpu * 1e6 / static_cast<double>(f.events) : 0.0,
            w.daemon_cpu / (window + 0.5) * 100, empty_cpu_us);
        std::printf("  load program CPU %.1f us per delivered event (%.0f%% of one CPU)\n",
                    f.events ? w.own_cpu * 1e6 / static_cast<double>(f.events) : 0.0,
                    w.own_cpu / (window + 0.5) * 100);
        double load[1] = {0};
        (void)::getloadavg(load, 1);
        std::printf(
            "  other work on the host: %.0f%% of one CPU (of %u; load average %.2f at the end)\n",
            std::max(0.0, w.host_busy - w.daemon_cpu - w.own_cpu) / (window + 0.5) * 100,
            static_cast<unsigned>(::sysconf(_SC_NPROCESSORS_ONLN)), load[0]);
        return std::tuple{p50, p99, f.late, f.failures};
    };
    std::printf(
        "events to %d event.from watchers while %d clients change VMs (%g s each run; the "
        "clients on %u threads of this program; every client on its own connection to xapid's "
        "Unix socket: HTTP/1.1 keep-alive, no TLS)\n",
        opt.watchers, opt.changers, opt.seconds, threads);
    long failures = 0;
    if (opt.saturated) {
        std::printf(
            "saturated: each changer %s (throughput; its delays are queueing delays)\n",
            opt.change_interval_ms > 0
                ? ("pauses " + std::to_string(opt.change_interval_ms) + " ms after each answer")
                      .c_str()
                : "changes again as soon as answered");
        auto [sat50, sat99, late, failed] = report(kSaturated);
        (void)late;
        failures += failed;
        std::printf("  delay p50 %.3f ms, p99 %.3f ms\n", sat50, sat99);
    }
    if (opt.paced) {
        long late = 0;
        for (auto& by_run : counts)
            late += by_run[kPaced].late;
        std::printf(
            "paced: the changers offer %.0f changes/s (%s), each at a steady interval; %ld "
            "changes sent late\n",
            offered,
            opt.paced_rate > 0 ? "--paced-rate"
                               : (std::to_string(static_cast<int>(opt.paced_fraction * 100 + 0.5)) +
                                  "% of the saturated change rate")
                                     .c_str(),
            late);
        auto [p50, p99, late_again, failed] = report(kPaced);
        (void)late_again;
        failures += failed;
        std::printf(
            "  delay p50 %.3f ms, p99 %.3f ms; target p99 5 ms: %.2f of it; "
            "anchor (empty call round trip p50 %.3f ms): p99 is %.1f of it\n",
            p50, p99, p99 / 5.0, anchor_p50, anchor_p50 > 0 ? p99 / anchor_p50 : 0.0);
    }
    return failures == 0 ? 0 : 1;
}
