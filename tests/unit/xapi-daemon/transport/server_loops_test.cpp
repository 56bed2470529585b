// Server: each connection lives on one I/O thread's loop, and connections are dealt across the
// loops in turn.
#include <gtest/gtest.h>

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include <unistd.h>

#include "transport/server.hpp"

namespace tern::xapi {
namespace {

namespace http = boost::beast::http;
using unix_socket = boost::asio::local::stream_protocol;

// Answers every call with the id of the thread that handled it.
struct ThreadNamingHandler : rpc::RequestHandler {
    void handle_rpc(std::string, const rpc::Peer&, rpc::RpcCompletion done) override {
        std::ostringstream id;
        id << std::this_thread::get_id();
        done(rpc::RpcResponse{200, "text/plain", id.str(), {}});
    }
};

std::string call(unix_socket::socket& s) {
    http::request<http::string_body> req{http::verb::post, "/", 11};
    req.set(http::field::host, "xapid");
    req.body() = "<methodCall/>";
    req.prepare_payload();
    http::write(s, req);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(s, buffer, res);
    return res.body();
}

TEST(ServerLoops, AConnectionStaysOnOneThreadAndConnectionsAreDealtAcrossThem) {
    const auto dir = std::filesystem::temp_directory_path() /
                     ("server_loops_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    const auto path = dir / "xapi.sock";
    ThreadNamingHandler handler;
    Server server(handler, TransportLimits{});
    server.listen_unix(path);
    std::thread loops([&] { server.run(2); });

    boost::asio::io_context io;
    std::vector<unix_socket::socket> clients;
    for (int i = 0; i < 4; ++i) {
        clients.emplace_back(io);
        clients.back().connect(unix_socket::endpoint(path.string()));
    }
    std::vector<std::set<std::string>> threads_of(clients.size());
    for (int round = 0; round < 5; ++round) {
        for (std::size_t c = 0; c < clients.size(); ++c)
            threads_of[c].insert(call(clients[c]));
    }
    std::set<std::string> all;
    for (const auto& t : threads_of) {
        EXPECT_EQ(t.size(), 1u) << "every call of a connection on the same thread";
        all.insert(t.begin(), t.end());
    }
    EXPECT_EQ(all.size(), 2u) << "four connections dealt over both I/O threads";
    EXPECT_NE(*threads_of[0].begin(), *threads_of[1].begin()) << "dealt in turn";

    for (auto& c : clients)
        c.close();
    server.stop();
    loops.join();
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tern::xapi
