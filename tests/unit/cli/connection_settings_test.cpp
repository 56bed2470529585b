// Where xm connects and as whom: flags over environment over ~/.xm/config over
// /etc/xen/xm-config.xml over the local socket.
#include "connection/connection_settings.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

namespace tern::cli {
namespace {

class ConnectionSettingsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("xm-conn-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::create_directories(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    std::string write(const std::string& name, const std::string& text) {
        auto path = dir_ / name;
        std::ofstream(path) << text;
        return path.string();
    }

    ConnectionSources sources(std::vector<std::string> files) {
        ConnectionSources result;
        result.environment = [this](const std::string& name) -> std::optional<std::string> {
            auto found = environment_.find(name);
            return found == environment_.end() ? std::nullopt
                                               : std::optional<std::string>(found->second);
        };
        result.config_files = std::move(files);
        return result;
    }

    std::filesystem::path dir_;
    std::map<std::string, std::string> environment_;
};

TEST_F(ConnectionSettingsTest, DefaultsToTheLocalSocketWithoutAPassword) {
    auto settings = resolve_connection({}, sources({(dir_ / "missing.xml").string()}));
    ASSERT_TRUE(settings.ok());
    EXPECT_EQ(settings.value().server, kDefaultServer);
    EXPECT_TRUE(settings.value().is_local_socket());
    EXPECT_EQ(settings.value().user, "root");
    EXPECT_EQ(settings.value().password, "");
}

TEST_F(ConnectionSettingsTest, LaterSourcesWin) {
    auto system = write("system.xml",
                        "<xm><server type='Xen-API' uri='https://a:443/' username='sys' "
                        "password='p1'/></xm>");
    auto user = write("user.xml", "<xm><server uri='https://b/' username='me'/></xm>");
    auto from_files = resolve_connection({}, sources({system, user}));
    ASSERT_TRUE(from_files.ok());
    EXPECT_EQ(from_files.value().server, "https://b/");
    EXPECT_EQ(from_files.value().user, "me");
    EXPECT_EQ(from_files.value().password, "p1");

    environment_ = {{"XM_SERVER", "https://c/"}, {"XM_PASSWORD", "p2"}};
    auto from_environment = resolve_connection({}, sources({system, user}));
    EXPECT_EQ(from_environment.value().server, "https://c/");
    EXPECT_EQ(from_environment.value().password, "p2");

    ConnectionFlags flags;
    flags.server = "unix:///run/x.sock";
    flags.user = "admin";
    flags.password_file = write("password", "p3\nignored\n");
    auto from_flags = resolve_connection(flags, sources({system, user}));
    EXPECT_EQ(from_flags.value().server, "unix:///run/x.sock");
    EXPECT_EQ(from_flags.value().socket_path(), "/run/x.sock");
    EXPECT_EQ(from_flags.value().user, "admin");
    EXPECT_EQ(from_flags.value().password, "p3");
}

TEST_F(ConnectionSettingsTest, ARemoteServerWithoutPasswordAsksForOne) {
    environment_ = {{"XM_SERVER", "https://remote/"}};
    auto settings = resolve_connection({}, sources({}));
    ASSERT_TRUE(settings.ok());
    EXPECT_FALSE(settings.value().password.has_value());
    EXPECT_FALSE(settings.value().is_local_socket());
}

TEST_F(ConnectionSettingsTest, ReportsBadConfigFiles) {
    auto broken = write("broken.xml", "<xm><server uri='x'></xm>");
    auto result = resolve_connection({}, sources({broken}));
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().to_string().substr(0, broken.size() + 3), broken + ":1:");
    auto legacy = write("legacy.xml", "<xm>\n<server type='LegacyXMLRPC'/></xm>");
    auto old = resolve_connection({}, sources({legacy}));
    ASSERT_FALSE(old.ok());
    EXPECT_EQ(old.error().to_string(),
              legacy +
                  ":2: server type 'LegacyXMLRPC' is not supported: Tern's xm speaks only "
                  "Xen-API");
    ConnectionFlags flags;
    flags.password_file = (dir_ / "nope").string();
    EXPECT_FALSE(resolve_connection(flags, sources({})).ok());
}

}  // namespace
}  // namespace tern::cli
