// session.login_with_password and friends.
//
// Over the Unix socket a peer whose uid is 0 is the local superuser and needs no password
// (as xapi trusts its local socket). Everyone else is checked with PAM. A failed login is
// logged and answered only after a delay, which slows password guessing down; the delay is
// spent on this call's worker thread, never on the I/O threads.
#include "api/session_messages.hpp"

#include <chrono>
#include <iostream>
#include <thread>

#include "api/api_error.hpp"
#include "api/call_context.hpp"
#include "api/pam_auth.hpp"
#include "api/session_registry.hpp"

namespace tern::xapi {
namespace {
constexpr auto kFailedLoginDelay = std::chrono::milliseconds(1500);
}

rpc::Value SessionHandlers::login_with_password(CallContext& ctx, const std::string& uname,
                                                const std::string& pwd, const std::string& version,
                                                const std::string& originator) {
    (void)version;  // recorded by xapi, used by nobody
    const rpc::Peer& peer = ctx.peer();
    const bool local_root =
        peer.transport != rpc::Peer::Transport::https && peer.uid && *peer.uid == 0;
    if (!local_root) {
        std::string why;
        if (!check_password(uname, pwd, why)) {
            std::cerr << "xapid: failed login for '" << uname << "' from " << peer.address << ": "
                      << why << "\n";
            std::this_thread::sleep_for(kFailedLoginDelay);
            throw ApiError("SESSION_AUTHENTICATION_FAILED", {uname, "Authentication failure"});
        }
    }
    const std::string user = local_root && uname.empty() ? "root" : uname;
    const Role role = user == "root" ? Role::pool_admin : Role::vm_operator;
    return rpc::Value{ctx.state().sessions.open(ctx.state(), user, role, local_root, originator)};
}

rpc::Value SessionHandlers::logout(CallContext& ctx) {
    ctx.state().sessions.close(ctx.state(), ctx.session());
    return {};
}

rpc::Value SessionHandlers::local_logout(CallContext& ctx) {
    return logout(ctx);
}

}  // namespace tern::xapi
