// event_load: the event-delivery load of the VM life-cycle benchmark, light enough that the
// figures are xapid's. One thread drives every connection (Boost.Asio over xapid's Unix
// socket, raw XML-RPC): 100 watchers loop on event.from(["vm"], token, timeout) and 10
// changers each set their VM's name_description to the time of the change, then wait 10 ms.
// A watcher's delay for an event is the time its answer arrived minus the time stamp in the
// snapshot. Anchor, in the same run: the round trip of an empty call (VM.get_power_state) on
// an idle daemon. The daemon's CPU time comes from /proc/<pid>/stat.
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;
using Socket = asio::local::stream_protocol::socket;

namespace {

struct Options {
    std::string unix_path;
    long pid = 0;
    double seconds = 10;
    int watchers = 100;
    int changers = 10;
    double change_interval_ms = 10;
};

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

// The text of the untyped or <string> value that follows `<name>member</name>` at or after
// `from`, or "" with `from` set to npos.
std::string member_text(std::string_view body, std::string_view member, std::size_t& from) {
    const std::string key = "<name>" + std::string(member) + "</name>";
    std::size_t at = body.find(key, from);
    if (at == std::string_view::npos) {
        from = at;
        return "";
    }
    at = body.find("<value>", at + key.size());
    if (at == std::string_view::npos) {
        from = at;
        return "";
    }
    at += 7;
    if (body.substr(at, 8) == "<string>")
        at += 8;
    const std::size_t end = body.find('<', at);
    from = end;
    return std::string(body.substr(at, end - at));
}

bool succeeded(std::string_view body) {
    return body.find("<name>Status</name><value>Success</value>") != std::string_view::npos;
}

// One keep-alive connection that sends a call and hands the answer's body to a callback.
class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(asio::io_context& io, const std::string& path) : socket_(io) {
        socket_.connect(asio::local::stream_protocol::endpoint(path));
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

struct Figures {
    std::vector<double> delays_ms;  // of changes made while measuring
    long events = 0;                // delivered while measuring
    long answers = 0;               // event.from answers with events, while measuring
    long bytes = 0;                 // of those answers
    long changes = 0;
    long failures = 0;
};

std::string value_or_die(Connection& c, const std::string& body, const char* what) {
    std::string answer = c.call_now(body);
    if (!succeeded(answer)) {
        std::cerr << "event_load: " << what << " failed: " << answer << "\n";
        std::exit(1);
    }
    std::size_t from = 0;
    return member_text(answer, "Value", from);
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
        else {
            std::cerr << "usage: event_load --unix PATH --pid XAPID_PID [--seconds S] "
                         "[--watchers N] [--changers N] [--interval-ms MS]\n";
            return 2;
        }
    }
    if (opt.unix_path.empty() || opt.pid == 0) {
        std::cerr << "event_load: give --unix and --pid\n";
        return 2;
    }
    asio::io_context io;
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
    std::size_t from = 0;
    const std::string first_answer = setup->call_now(call_xml(
        "event.from", {str(session), vm_classes, str(""), "<value><double>0</double></value>"}));
    const std::string first_token = member_text(first_answer, "token", from);

    Figures figures;
    bool measuring = false;
    bool stopping = false;
    std::int64_t measure_from_ns = 0;

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
                if (!succeeded(body)) {
                    ++figures.failures;
                    return watch(w, "");
                }
                if (measuring && body.find("<name>obj_uuid</name>") != std::string::npos) {
                    ++figures.answers;
                    figures.bytes += static_cast<long>(body.size());
                }
                std::size_t at = 0;
                for (;;) {
                    std::string stamp = member_text(body, "name_description", at);
                    if (at == std::string::npos)
                        break;
                    if (stamp.empty() || stamp.find_first_not_of("0123456789") != std::string::npos)
                        continue;
                    const std::int64_t changed = std::stoll(stamp);
                    if (measuring && changed >= measure_from_ns) {
                        ++figures.events;
                        figures.delays_ms.push_back(static_cast<double>(arrived - changed) / 1e6);
                    }
                }
                std::size_t t = 0;
                std::string next = member_text(body, "token", t);
                watch(w, next.empty() ? token : next);
            });
    };
    for (int i = 0; i < opt.watchers; ++i) {
        watchers.push_back(std::make_shared<Connection>(io, opt.unix_path));
        watch(watchers.size() - 1, first_token);
    }

    // Changers.
    std::vector<std::shared_ptr<Connection>> changers;
    std::vector<std::unique_ptr<asio::steady_timer>> pauses;
    bool changing = true;
    std::function<void(std::size_t)> change = [&](std::size_t c) {
        if (!changing)
            return;
        const std::string stamp = std::to_string(now_ns());
        changers[c]->call(
            call_xml("VM.set_name_description", {str(session), str(vms[c]), str(stamp)}),
            [&, c](std::string body) {
                if (!succeeded(body))
                    ++figures.failures;
                else if (measuring)
                    ++figures.changes;
                pauses[c]->expires_after(
                    std::chrono::microseconds(static_cast<long>(opt.change_interval_ms * 1000)));
                pauses[c]->async_wait([&, c](boost::system::error_code ec) {
                    if (!ec)
                        change(c);
                });
            });
    };

    // A second of warming up, then the measured window, then half a second for the last
    // deliveries.
    asio::steady_timer phase(io);
    double cpu0 = 0;
    double cpu1 = 0;
    double own0 = 0;
    double own1 = 0;
    std::int64_t measure_to_ns = 0;
    phase.expires_after(std::chrono::milliseconds(500));
    phase.async_wait([&](boost::system::error_code) {
        for (int i = 0; i < opt.changers; ++i) {
            changers.push_back(std::make_shared<Connection>(io, opt.unix_path));
            pauses.push_back(std::make_unique<asio::steady_timer>(io));
            change(changers.size() - 1);
        }
        phase.expires_after(std::chrono::seconds(1));
        phase.async_wait([&](boost::system::error_code) {
            measuring = true;
            measure_from_ns = now_ns();
            cpu0 = cpu_seconds(opt.pid);
            own0 = own_cpu_seconds();
            phase.expires_after(std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(opt.seconds)));
            phase.async_wait([&](boost::system::error_code) {
                changing = false;
                measure_to_ns = now_ns();
                phase.expires_after(std::chrono::milliseconds(500));
                phase.async_wait([&](boost::system::error_code) {
                    cpu1 = cpu_seconds(opt.pid);
                    own1 = own_cpu_seconds();
                    measuring = false;
                    stopping = true;
                    for (auto& w : watchers)
                        w->close();
                    for (auto& c : changers)
                        c->close();
                    for (auto& p : pauses)
                        p->cancel();
                });
            });
        });
    });
    io.run();

    const double window = static_cast<double>(measure_to_ns - measure_from_ns) / 1e9;
    const double used_us = (cpu1 - cpu0) * 1e6;
    const double p50 = percentile(figures.delays_ms, 0.5);
    const double p99 = percentile(figures.delays_ms, 0.99);
    std::printf("events to %d event.from watchers while %d clients change VMs every %g ms (%g s)\n",
                opt.watchers, opt.changers, opt.change_interval_ms, window);
    std::printf("  %ld changes, %ld events delivered (%.0f/s), %ld failed calls\n", figures.changes,
                figures.events, static_cast<double>(figures.events) / window, figures.failures);
    std::printf("  %.1f events and %.0f bytes per event.from answer\n",
                figures.answers ? static_cast<double>(figures.events) / figures.answers : 0.0,
                figures.answers ? static_cast<double>(figures.bytes) / figures.answers : 0.0);
    std::printf("  daemon CPU %.1f us per delivered event (anchor: %.1f us per empty call)\n",
                figures.events ? used_us / static_cast<double>(figures.events) : 0.0, empty_cpu_us);
    std::printf("  load program CPU %.1f us per delivered event (%.0f%% of one CPU)\n",
                figures.events ? (own1 - own0) * 1e6 / static_cast<double>(figures.events) : 0.0,
                window > 0 ? (own1 - own0) / window * 100 : 0.0);
    std::printf(
        "  delay p50 %.3f ms, p99 %.3f ms; target p99 5 ms: %.2f of it; "
        "anchor (empty call round trip p50 %.3f ms): p99 is %.1f of it\n",
        p50, p99, p99 / 5.0, anchor_p50, anchor_p50 > 0 ? p99 / anchor_p50 : 0.0);
    return figures.failures == 0 ? 0 : 1;
}
