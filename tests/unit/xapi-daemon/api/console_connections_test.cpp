// ConsoleConnections: who may attach to which console (session in the query or a cookie,
// the vm-operator role, a console of a running VM), the refusals as HTTP statuses with the
// XenAPI error, and the stream it gives (the sim guest's console).
#include "api/console_connections.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "api_world_for_test.hpp"

namespace tern::xapi {
namespace {

struct ConsoleWorld : ApiWorldForTest {
    ConsoleConnections consoles{state, [](std::function<void()> job) { job(); }};
    std::string s = make_session_for_test();

    rpc::Value ok(const std::string& method, rpc::Array args) {
        args.insert(args.begin(), rpc::Value{s});
        return ok_for_test(call(method, std::move(args)));
    }
    std::string make_vm(const std::string& name) {
        const std::string memory = std::to_string(64 << 20);
        rpc::Struct record{
            {"name_label", rpc::Value{name}},           {"memory_static_min", rpc::Value{memory}},
            {"memory_dynamic_min", rpc::Value{memory}}, {"memory_dynamic_max", rpc::Value{memory}},
            {"memory_static_max", rpc::Value{memory}},  {"VCPUs_max", rpc::Value{"1"}},
            {"VCPUs_at_startup", rpc::Value{"1"}}};
        return ok("VM.create", {rpc::Value{std::move(record)}}).as<std::string>();
    }
    std::string console_of(const std::string& vm) {
        return ok("VM.get_consoles", {rpc::Value{vm}}).as<rpc::Array>().at(0).as<std::string>();
    }
    ConsoleRequest request(std::string target, std::string cookie = {}) {
        ConsoleRequest r;
        r.target = std::move(target);
        r.cookie = std::move(cookie);
        r.peer = local_root;
        return r;
    }
    // The answer to a request, through open() as the transport gets it: 200 and the stream
    // (closed here), or the refusal's status and body.
    std::pair<unsigned, std::string> refusal(const ConsoleRequest& r) {
        std::pair<unsigned, std::string> answer{0, ""};
        consoles.open(r, [&](int fd, std::optional<TransferFailure> f) {
            if (f) {
                answer = {f->status(), f->body()};
            } else {
                ::close(fd);
                answer = {200, ""};
            }
        });
        return answer;
    }
};

std::string read_until(int fd, const std::string& text) {
    std::string out;
    char buffer[512];
    while (out.find(text) == std::string::npos) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n <= 0)
            break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
}

TEST(ConsoleConnections, CookieValues) {
    EXPECT_EQ(cookie_value("session_id=OpaqueRef:a", "session_id"), "OpaqueRef:a");
    EXPECT_EQ(cookie_value("x=1; session_id=OpaqueRef:b;y=2", "session_id"), "OpaqueRef:b");
    EXPECT_EQ(cookie_value("my_session_id=1", "session_id"), std::nullopt);
    EXPECT_EQ(cookie_value("", "session_id"), std::nullopt);
}

TEST(ConsoleConnections, TargetsThatAreConsoles) {
    EXPECT_TRUE(ConsoleConnector::is_console("/console?ref=OpaqueRef:x"));
    EXPECT_TRUE(ConsoleConnector::is_console("/console"));
    EXPECT_FALSE(ConsoleConnector::is_console("/consoles?ref=x"));
    EXPECT_FALSE(ConsoleConnector::is_console("/"));
}

TEST(ConsoleConnections, AttachesARunningVmsConsoleWithTheSessionInQueryOrCookie) {
    ConsoleWorld w;
    const std::string vm = w.make_vm("echo");
    w.ok("VM.start", {rpc::Value{vm}, rpc::Value{false}});
    const std::string console = w.console_of(vm);
    const int fd = w.consoles.open_now(w.request("/console?ref=" + console + "&session_id=" + w.s));
    EXPECT_NE(read_until(fd, "echo# ").find("Tern simulated guest echo"), std::string::npos);
    ASSERT_EQ(::write(fd, "hi\r", 3), 3);
    EXPECT_NE(read_until(fd, "echo# ").find("echo: hi"), std::string::npos);
    ::close(fd);
    const int by_cookie =
        w.consoles.open_now(w.request("/console?ref=" + console, "session_id=" + w.s));
    EXPECT_NE(read_until(by_cookie, "echo# ").find("echo# "), std::string::npos);
    ::close(by_cookie);
}

TEST(ConsoleConnections, Refusals) {
    ConsoleWorld w;
    const std::string vm = w.make_vm("quiet");
    const std::string console = w.console_of(vm);
    const std::string good = "/console?ref=" + console + "&session_id=" + w.s;

    auto [status, body] = w.refusal(w.request(good));  // the VM is halted
    EXPECT_EQ(status, 409u);
    EXPECT_EQ(body, "[\"VM_BAD_POWER_STATE\",\"" + vm + "\",\"Running\",\"Halted\"]\n");

    w.ok("VM.start", {rpc::Value{vm}, rpc::Value{false}});
    EXPECT_EQ(w.refusal(w.request(good)).first, 200u);
    EXPECT_EQ(w.refusal(w.request("/console?ref=" + console)).first, 401u);
    EXPECT_EQ(w.refusal(w.request("/console?ref=" + console + "&session_id=OpaqueRef:x")),
              std::pair(401u, std::string("[\"SESSION_INVALID\",\"OpaqueRef:x\"]\n")));
    EXPECT_EQ(
        w.refusal(w.request("/console?ref=OpaqueRef:none&session_id=" + w.s)),
        std::pair(404u, std::string("[\"HANDLE_INVALID\",\"console\",\"OpaqueRef:none\"]\n")));
    EXPECT_EQ(w.refusal(w.request("/console?session_id=" + w.s)).first, 400u);

    // A read-only session may look at consoles but not attach.
    const std::string reader = w.sessions.open(w.state, "auditor", Role::read_only, false, "t");
    auto [ro_status, ro_body] =
        w.refusal(w.request("/console?ref=" + console + "&session_id=" + reader));
    EXPECT_EQ(ro_status, 403u);
    EXPECT_NE(ro_body.find("RBAC_PERMISSION_DENIED"), std::string::npos);
}

TEST(ConsoleConnections, OpenAnswersThroughItsCompletion) {
    ConsoleWorld w;
    const std::string vm = w.make_vm("later");
    w.ok("VM.start", {rpc::Value{vm}, rpc::Value{false}});
    int got = -1;
    std::optional<TransferFailure> failure;
    w.consoles.open(w.request("/console?ref=" + w.console_of(vm) + "&session_id=" + w.s),
                    [&](int fd, std::optional<TransferFailure> f) {
                        got = fd;
                        failure = std::move(f);
                    });
    ASSERT_FALSE(failure);
    ASSERT_GE(got, 0);
    ::close(got);
    w.consoles.open(w.request("/console?ref=OpaqueRef:none&session_id=" + w.s),
                    [&](int fd, std::optional<TransferFailure> f) {
                        got = fd;
                        failure = std::move(f);
                    });
    ASSERT_TRUE(failure);
    EXPECT_EQ(failure->status(), 404u);
    EXPECT_EQ(got, -1);
}

}  // namespace
}  // namespace tern::xapi
