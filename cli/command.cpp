// Option lookup and the argument parser shared by every command.
#include "command.hpp"

#include <cctype>
#include <optional>

namespace tern::cli {

const OptionSpec* CommandSpec::find_long(std::string_view name) const {
    for (const auto& option : options) {
        if (option.long_name == name) {
            return &option;
        }
    }
    return nullptr;
}

const OptionSpec* CommandSpec::find_short(char name) const {
    for (const auto& option : options) {
        if (option.short_name == name) {
            return &option;
        }
    }
    return nullptr;
}

std::string CommandSpec::usage() const {
    std::string text = "xm " + name;
    if (!options.empty()) {
        text += " [options]";
    }
    if (!synopsis.empty()) {
        text += " " + synopsis;
    }
    return text;
}

std::string Invocation::value(const std::string& option, const std::string& fallback) const {
    auto found = options.find(option);
    return found == options.end() ? fallback : found->second;
}

Invocation parse_invocation(const CommandSpec& spec, const std::vector<std::string>& words,
                            Context& context) {
    Invocation invocation{spec, {}, {}, context};
    bool options_done = false;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& word = words[i];
        if (options_done || word.size() < 2 || word[0] != '-' ||
            (std::isdigit(static_cast<unsigned char>(word[1])) && !spec.find_short(word[1]))) {
            invocation.args.push_back(word);
            continue;
        }
        if (word == "--") {
            options_done = true;
            continue;
        }
        if (word.rfind("--", 0) == 0) {
            std::string name = word.substr(2);
            std::optional<std::string> inline_value;
            if (auto equals = name.find('='); equals != std::string::npos) {
                inline_value = name.substr(equals + 1);
                name.resize(equals);
            }
            const OptionSpec* option = spec.find_long(name);
            if (option == nullptr) {
                throw UsageError("unknown option '--" + name + "' for '" + spec.name + "'");
            }
            if (option->value_name.empty()) {
                if (inline_value) {
                    throw UsageError("option '--" + name + "' takes no value");
                }
                invocation.options[name] = "";
            } else if (inline_value) {
                invocation.options[name] = *inline_value;
            } else if (i + 1 < words.size()) {
                invocation.options[name] = words[++i];
            } else {
                throw UsageError("option '--" + name + "' needs a value (" + option->value_name +
                                 ")");
            }
            continue;
        }
        // One or more short options: "-w", "-wa", "-d dom", "-ddom".
        for (std::size_t j = 1; j < word.size(); ++j) {
            const OptionSpec* option = spec.find_short(word[j]);
            if (option == nullptr) {
                throw UsageError(std::string("unknown option '-") + word[j] + "' for '" +
                                 spec.name + "'");
            }
            if (option->value_name.empty()) {
                invocation.options[option->long_name] = "";
                continue;
            }
            if (j + 1 < word.size()) {
                invocation.options[option->long_name] = word.substr(j + 1);
            } else if (i + 1 < words.size()) {
                invocation.options[option->long_name] = words[++i];
            } else {
                throw UsageError(std::string("option '-") + word[j] + "' needs a value (" +
                                 option->value_name + ")");
            }
            break;
        }
    }
    int count = static_cast<int>(invocation.args.size());
    if (count < spec.min_args) {
        throw UsageError("'" + spec.name + "' needs " +
                         (spec.min_args == spec.max_args ? "" : "at least ") +
                         std::to_string(spec.min_args) + " argument" +
                         (spec.min_args == 1 ? "" : "s") + ", got " + std::to_string(count));
    }
    if (spec.max_args >= 0 && count > spec.max_args) {
        throw UsageError("'" + spec.name + "' takes at most " + std::to_string(spec.max_args) +
                         " argument" + (spec.max_args == 1 ? "" : "s") + ", got " +
                         std::to_string(count));
    }
    return invocation;
}

}  // namespace tern::cli
