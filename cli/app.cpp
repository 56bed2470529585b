// Global options, command dispatch, and the one place where errors become exit statuses.
#include "app.hpp"

#include "command_table.hpp"
#include "docs/help_text.hpp"
#include "errors/error_texts.hpp"

namespace tern::cli {
namespace {

const OptionSpec* find_global(const std::string& word) {
    for (const auto& option : global_options()) {
        if (word == "--" + option.long_name ||
            (option.short_name && word == std::string("-") + option.short_name)) {
            return &option;
        }
    }
    return nullptr;
}

}  // namespace

int run_xm(const std::vector<std::string>& words, AppEnvironment& environment) {
    ConnectionFlags flags;
    std::size_t at = 0;
    for (; at < words.size() && words[at].size() > 1 && words[at][0] == '-'; ++at) {
        std::string word = words[at];
        std::optional<std::string> inline_value;
        if (auto equals = word.find('='); equals != std::string::npos && word.rfind("--", 0) == 0) {
            inline_value = word.substr(equals + 1);
            word.resize(equals);
        }
        const OptionSpec* option = find_global(word);
        if (option == nullptr) {
            environment.err << "Error: unknown global option '" << word << "'\n"
                            << "Usage: xm [global options] <subcommand> [args]; see 'xm help'\n";
            return 2;
        }
        if (option->long_name == "help") {
            print_command_list(environment.out, false);
            return 0;
        }
        if (option->long_name == "insecure") {
            flags.insecure = true;
            continue;
        }
        std::string value;
        if (inline_value) {
            value = *inline_value;
        } else if (at + 1 < words.size()) {
            value = words[++at];
        } else {
            environment.err << "Error: option '" << word << "' needs a value ("
                            << option->value_name << ")\n";
            return 2;
        }
        if (option->long_name == "server") {
            flags.server = value;
        } else if (option->long_name == "user") {
            flags.user = value;
        } else {
            flags.password_file = value;
        }
    }
    if (at == words.size()) {
        print_command_list(environment.err, false);
        return 2;
    }
    const CommandSpec* spec = find_command(words[at]);
    if (spec == nullptr) {
        environment.err << "Error: '" << words[at] << "' is not an xm command.\n"
                        << "Usage: xm [global options] <subcommand> [args]; see 'xm help'\n";
        return 2;
    }

    std::shared_ptr<XenApi> api;
    Context context{environment.out, environment.err, nullptr, environment.out_is_terminal};
    context.api = [&]() -> XenApi& {
        if (!api) {
            auto settings = resolve_connection(flags, environment.sources);
            if (!settings) {
                throw CommandError(settings.error().to_string());
            }
            if (!settings.value().password) {
                settings.value().password =
                    prompt_password("Password for " + settings.value().user + " at " +
                                    settings.value().server + ": ");
                if (!settings.value().password) {
                    throw CommandError(
                        "a password is needed and there is no terminal to ask "
                        "for it (use --password-file or XM_PASSWORD)");
                }
            }
            api = environment.connect(settings.value());
        }
        return *api;
    };

    try {
        std::vector<std::string> rest(words.begin() + static_cast<long>(at) + 1, words.end());
        Invocation invocation = parse_invocation(*spec, rest, context);
        return spec->handler(invocation);
    } catch (const UsageError& error) {
        environment.err << "Error: " << error.what() << "\nUsage: " << spec->usage() << "\n";
        return 2;
    } catch (const ApiFailure& failure) {
        environment.err << "Error: " << describe_failure(failure.code(), failure.params()) << "\n";
        return 1;
    } catch (const std::exception& error) {
        environment.err << "Error: " << error.what() << "\n";
        return 1;
    }
}

}  // namespace tern::cli
