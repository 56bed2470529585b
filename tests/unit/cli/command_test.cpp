// The command table and argument checking: every command is documented and reachable, and
// mistakes are usage errors (exit status 2) that name the problem.
#include "command.hpp"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "app.hpp"
#include "command_table.hpp"

namespace tern::cli {
namespace {

struct XmRun {
    int status;
    std::string out;
    std::string err;
};

XmRun xm(std::vector<std::string> words) {
    std::ostringstream out;
    std::ostringstream err;
    AppEnvironment environment{out, err, false, ConnectionSources{}, nullptr};
    environment.connect = [](const ConnectionSettings&) -> std::shared_ptr<XenApi> {
        throw std::runtime_error("no server in this test");
    };
    int status = run_xm(words, environment);
    return {status, out.str(), err.str()};
}

TEST(CommandTable, HasEveryCommandTheIssueNames) {
    for (const char* name : {"list",
                             "info",
                             "create",
                             "new",
                             "delete",
                             "start",
                             "shutdown",
                             "reboot",
                             "destroy",
                             "pause",
                             "unpause",
                             "suspend",
                             "resume",
                             "save",
                             "restore",
                             "migrate",
                             "console",
                             "mem-set",
                             "mem-max",
                             "vcpu-set",
                             "vcpu-pin",
                             "vcpu-list",
                             "sched-credit",
                             "block-attach",
                             "block-detach",
                             "block-list",
                             "network-attach",
                             "network-detach",
                             "network-list",
                             "vdi-create",
                             "vdi-list",
                             "vdi-destroy",
                             "vdi-copy",
                             "sr-list",
                             "uptime",
                             "domid",
                             "domname",
                             "rename",
                             "dmesg",
                             "log",
                             "top",
                             "dump-core",
                             "help"}) {
        const CommandSpec* spec = find_command(name);
        ASSERT_NE(spec, nullptr) << name;
        EXPECT_NE(spec->handler, nullptr) << name;
        EXPECT_FALSE(spec->summary.empty()) << name;
    }
}

TEST(CommandTable, NamesAndOptionsAreUnique) {
    std::set<std::string> names;
    for (const auto& spec : command_table()) {
        EXPECT_TRUE(names.insert(spec.name).second) << spec.name;
        std::set<std::string> longs;
        std::set<char> shorts;
        for (const auto& option : spec.options) {
            EXPECT_TRUE(longs.insert(option.long_name).second) << spec.name;
            if (option.short_name) {
                EXPECT_TRUE(shorts.insert(option.short_name).second) << spec.name;
            }
        }
    }
}

TEST(ParseInvocation, SplitsOptionsAndArguments) {
    std::ostringstream sink;
    Context context{sink, sink, nullptr};
    const CommandSpec& sched = *find_command("sched-credit");
    auto invocation = parse_invocation(sched, {"-d", "vm1", "--weight=512", "-c50"}, context);
    EXPECT_EQ(invocation.value("domain"), "vm1");
    EXPECT_EQ(invocation.value("weight"), "512");
    EXPECT_EQ(invocation.value("cap"), "50");
    const CommandSpec& shutdown = *find_command("shutdown");
    auto flags = parse_invocation(shutdown, {"-wa"}, context);
    EXPECT_TRUE(flags.has("wait"));
    EXPECT_TRUE(flags.has("all"));
    const CommandSpec& list = *find_command("list");
    auto rest = parse_invocation(list, {"--", "-odd-name"}, context);
    EXPECT_EQ(rest.args, std::vector<std::string>{"-odd-name"});
}

TEST(Usage, UnknownCommandsAndBadArgumentsExitTwo) {
    auto unknown = xm({"frobnicate"});
    EXPECT_EQ(unknown.status, 2);
    EXPECT_EQ(unknown.err,
              "Error: 'frobnicate' is not an xm command.\n"
              "Usage: xm [global options] <subcommand> [args]; see 'xm help'\n");
    auto missing = xm({"mem-set", "vm1"});
    EXPECT_EQ(missing.status, 2);
    EXPECT_EQ(missing.err,
              "Error: 'mem-set' needs 2 arguments, got 1\nUsage: xm mem-set <Domain> <Mem>\n");
    auto extra = xm({"destroy", "a", "b"});
    EXPECT_EQ(extra.status, 2);
    EXPECT_EQ(extra.err,
              "Error: 'destroy' takes at most 1 argument, got 2\nUsage: xm destroy <Domain>\n");
    auto option = xm({"list", "--bogus"});
    EXPECT_EQ(option.status, 2);
    EXPECT_EQ(option.err,
              "Error: unknown option '--bogus' for 'list'\nUsage: xm list [options] [Domain "
              "...]\n");
    auto value = xm({"sched-credit", "-d"});
    EXPECT_EQ(value.status, 2);
    EXPECT_EQ(xm({}).status, 2);
    EXPECT_EQ(xm({"--bogus", "list"}).status, 2);
    EXPECT_EQ(xm({"--server"}).status, 2);
}

TEST(Usage, ConnectionFailuresExitOne) {
    auto run = xm({"list"});
    EXPECT_EQ(run.status, 1);
    EXPECT_EQ(run.err, "Error: no server in this test\n");
}

TEST(Help, ListsCommandsAndDescribesOne) {
    auto all = xm({"help"});
    EXPECT_EQ(all.status, 0);
    for (const auto& spec : command_table()) {
        EXPECT_NE(all.out.find("  " + spec.name + " "), std::string::npos) << spec.name;
    }
    auto one = xm({"help", "sched-credit"});
    EXPECT_EQ(one.status, 0);
    EXPECT_EQ(one.out.substr(0, 37), "Usage: xm sched-credit [options]\n\nGet");
    EXPECT_NE(one.out.find("-w, --weight WEIGHT"), std::string::npos) << one.out;
    EXPECT_EQ(xm({"help", "nosuch"}).status, 2);
    EXPECT_EQ(xm({"--help"}).status, 0);
}

}  // namespace
}  // namespace tern::cli
