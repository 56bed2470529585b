// One xm command as data: its name, group, arguments, typed options, help text, whether it
// changes state or runs long, and the handler that runs it. The command table (command_table)
// lists them all; `help`, the man page, bash completion and argument checking derive from it.
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tern::cli {

class XenApi;
struct Invocation;

struct OptionSpec {
    std::string long_name;   // without the leading "--"
    char short_name = 0;     // 0: none
    std::string value_name;  // empty: a flag
    std::string help;
};

// What a positional argument is, for completion.
enum class ArgumentKind { kNone, kDomain, kFile, kOther };

using Handler = int (*)(Invocation&);

struct CommandSpec {
    std::string name;
    std::string group;
    std::string synopsis;  // the arguments part, e.g. "<Domain> <Mem>"
    std::string summary;   // one line
    std::string description;
    std::vector<OptionSpec> options;
    int min_args = 0;
    int max_args = 0;  // -1: any number
    ArgumentKind first_argument = ArgumentKind::kNone;
    bool changes_state = false;
    bool long_running = false;
    bool needs_server = true;
    Handler handler = nullptr;

    const OptionSpec* find_long(std::string_view name) const;
    const OptionSpec* find_short(char name) const;
    std::string usage() const;  // "xm name [options] synopsis"
};

// A mistake in how xm was called: printed with the usage, exit status 2.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// A failure that is not the server's (no such domain, bad file): exit status 1.
class CommandError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// What a handler gets: its parsed arguments and the world around it.
struct Context {
    std::ostream& out;
    std::ostream& err;
    std::function<XenApi&()> api;  // connects on first use
    bool out_is_terminal = false;
};

struct Invocation {
    const CommandSpec& command;
    std::vector<std::string> args;
    std::map<std::string, std::string> options;  // long name -> value ("" for flags)
    Context& context;

    bool has(const std::string& option) const { return options.count(option) != 0; }
    std::string value(const std::string& option, const std::string& fallback = "") const;
    XenApi& api() const { return context.api(); }
    std::ostream& out() const { return context.out; }
};

// Splits a command's arguments into options and positionals, checking them against `spec`.
// Throws UsageError.
Invocation parse_invocation(const CommandSpec& spec, const std::vector<std::string>& words,
                            Context& context);

}  // namespace tern::cli
