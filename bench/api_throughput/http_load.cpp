// http_load: a closed-loop HTTP/1.1 load generator for the API benchmark. Each connection is
// one thread that sends the same request over a keep-alive connection (TLS over TCP, or a
// Unix socket) as fast as answers come back, for a fixed time. Prints requests per second
// and the p50 and p99 latency as one line of key=value pairs.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
    std::string https;  // host:port
    std::string unix_path;
    std::string method = "POST";
    std::string body;
    int connections = 8;
    double seconds = 5;
};

template <class Stream>
void run_loop(Stream& stream, const Options& opt, Clock::time_point end,
              std::vector<double>& latencies, std::atomic<long>& errors) {
    http::request<http::string_body> req{opt.method == "GET" ? http::verb::get : http::verb::post,
                                         "/", 11};
    req.set(http::field::host, "bench");
    req.set(http::field::content_type, "text/xml");
    req.keep_alive(true);
    if (opt.method != "GET")
        req.body() = opt.body;
    req.prepare_payload();
    boost::beast::flat_buffer buffer;
    while (Clock::now() < end) {
        const auto start = Clock::now();
        http::write(stream, req);
        http::response<http::string_body> res;
        http::read(stream, buffer, res);
        latencies.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - start).count());
        if (res.result() != http::status::ok)
            ++errors;
    }
}

void worker(const Options& opt, Clock::time_point end, std::vector<double>& latencies,
            std::atomic<long>& errors) {
    asio::io_context io;
    try {
        if (!opt.unix_path.empty()) {
            asio::local::stream_protocol::socket sock(io);
            sock.connect(asio::local::stream_protocol::endpoint(opt.unix_path));
            run_loop(sock, opt, end, latencies, errors);
        } else {
            const auto colon = opt.https.rfind(':');
            asio::ssl::context ctx(asio::ssl::context::tls_client);
            ctx.set_verify_mode(asio::ssl::verify_none);  // a benchmark of throughput, on loopback
            asio::ssl::stream<asio::ip::tcp::socket> stream(io, ctx);
            asio::ip::tcp::resolver resolver(io);
            asio::connect(stream.next_layer(), resolver.resolve(opt.https.substr(0, colon),
                                                                opt.https.substr(colon + 1)));
            stream.handshake(asio::ssl::stream_base::client);
            run_loop(stream, opt, end, latencies, errors);
        }
    } catch (const std::exception& e) {
        std::cerr << "http_load: " << e.what() << "\n";
        ++errors;
    }
}

}  // namespace

int main(int argc, char** argv) {
    Options opt;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const std::string val = argv[i + 1];
        if (key == "--https")
            opt.https = val;
        else if (key == "--unix")
            opt.unix_path = val;
        else if (key == "--method")
            opt.method = val;
        else if (key == "--connections")
            opt.connections = std::stoi(val);
        else if (key == "--seconds")
            opt.seconds = std::stod(val);
        else if (key == "--body-file") {
            std::ifstream f(val);
            std::stringstream s;
            s << f.rdbuf();
            opt.body = s.str();
        } else {
            std::cerr << "usage: http_load (--https HOST:PORT | --unix PATH) [--method GET|POST] "
                         "[--body-file F] [--connections N] [--seconds S]\n";
            return 2;
        }
    }
    if (opt.https.empty() == opt.unix_path.empty()) {
        std::cerr << "http_load: give one of --https and --unix\n";
        return 2;
    }
    std::vector<std::vector<double>> per_thread(opt.connections);
    std::atomic<long> errors{0};
    const auto end = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(opt.seconds));
    const auto start = Clock::now();
    std::vector<std::thread> threads;
    for (int i = 0; i < opt.connections; ++i) {
        threads.emplace_back([&, i] { worker(opt, end, per_thread[i], errors); });
    }
    for (auto& t : threads)
        t.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::vector<double> all;
    for (auto& v : per_thread)
        all.insert(all.end(), v.begin(), v.end());
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) {
        return all.empty() ? 0.0 : all[static_cast<std::size_t>(p * (all.size() - 1))];
    };
    std::printf("requests=%zu rate=%.0f p50_ms=%.3f p99_ms=%.3f errors=%ld\n", all.size(),
                static_cast<double>(all.size()) / elapsed, pct(0.5), pct(0.99), errors.load());
    return errors.load() == 0 ? 0 : 1;
}
