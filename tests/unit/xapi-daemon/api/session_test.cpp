// Tests of logins: local root over the Unix socket, PAM for everyone else.
#include <gtest/gtest.h>

#include "api_world_for_test.hpp"

namespace tern::xapi {
namespace {

TEST(Sessions, LocalRootNeedsNoPasswordOnlyOnTheUnixSocket) {
    ApiWorldForTest world;
    const std::string s =
        ok_for_test(world.call("session.login_with_password", {rpc::Value{"root"}, rpc::Value{""}}))
            .as<std::string>();
    const rpc::Struct record =
        ok_for_test(world.dispatcher.call("session.get_record", {rpc::Value{s}, rpc::Value{s}},
                                          world.local_root))
            .as<rpc::Struct>();
    EXPECT_EQ(record.at("is_local_superuser"), rpc::Value{true});
    EXPECT_EQ(record.at("this_host"), rpc::Value{world.state.host_ref});

    // The same uid over HTTPS is not trusted: PAM decides, and a wrong password fails.
    rpc::Peer remote{rpc::Peer::Transport::https, 0, "10.0.0.1:5555", {}};
    const auto failure = error_for_test(world.dispatcher.call(
        "session.login_with_password", {rpc::Value{"nosuchuser-tern"}, rpc::Value{"x"}}, remote));
    ASSERT_GE(failure.size(), 2u);
    EXPECT_EQ(failure[0], "SESSION_AUTHENTICATION_FAILED");
    EXPECT_EQ(failure[1], "nosuchuser-tern");
}

TEST(Sessions, AUserObjectIsMadeOncePerLoginName) {
    ApiWorldForTest world;
    for (int i = 0; i < 3; ++i) {
        ok_for_test(
            world.call("session.login_with_password", {rpc::Value{"root"}, rpc::Value{""}}));
    }
    EXPECT_EQ(world.store.refs(world.store.class_index("user")).size(), 1u);
}

}  // namespace
}  // namespace tern::xapi
