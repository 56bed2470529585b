// The meaning of each classic setting (see the reference's table of xm config keys).
#include "config/classic_config.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <optional>

#include "config/classic_parser.hpp"
#include "config/device_specs.hpp"

namespace tern::cli {
namespace {

using Apply = std::function<std::optional<std::string>(VmConfig&, const PythonValue&)>;

std::optional<std::string> want_string(const PythonValue& value, std::string& out) {
    if (!value.is_string()) {
        return std::string("expected a quoted string, found ") + value.type_name() + " " +
               value.repr();
    }
    out = value.as_string();
    return std::nullopt;
}

// xm converts numeric settings with int(), so "256" is as good as 256.
std::optional<std::string> want_int(const PythonValue& value, std::int64_t& out,
                                    std::int64_t minimum) {
    if (value.is_int()) {
        out = value.as_int();
    } else if (value.is_string() && !value.as_string().empty() &&
               std::all_of(value.as_string().begin(), value.as_string().end(),
                           [](char c) { return c >= '0' && c <= '9'; }) &&
               value.as_string().size() < 18) {
        out = std::stoll(value.as_string());
    } else {
        return std::string("expected a whole number, found ") + value.type_name() + " " +
               value.repr();
    }
    if (out < minimum) {
        return "expected a number of at least " + std::to_string(minimum) + ", found " +
               std::to_string(out);
    }
    return std::nullopt;
}

// A list of strings; a single string counts as a one-element list.
std::optional<std::string> want_string_list(const PythonValue& value,
                                            std::vector<std::string>& out) {
    if (value.is_string()) {
        out = {value.as_string()};
        return std::nullopt;
    }
    if (!value.is_list()) {
        return std::string("expected a list of quoted strings, found ") + value.type_name() + " " +
               value.repr();
    }
    out.clear();
    for (const auto& item : value.as_list()) {
        if (!item.is_string()) {
            return std::string("expected a list of quoted strings, found ") + item.type_name() +
                   " " + item.repr() + " in it";
        }
        out.push_back(item.as_string());
    }
    return std::nullopt;
}

std::optional<std::string> want_action(const PythonValue& value, std::string& out) {
    std::string action;
    if (auto problem = want_string(value, action)) {
        return problem;
    }
    std::replace(action.begin(), action.end(), '-', '_');
    static const std::vector<std::string> kActions = {"destroy",
                                                      "restart",
                                                      "preserve",
                                                      "rename_restart",
                                                      "coredump_and_destroy",
                                                      "coredump_and_restart"};
    if (std::find(kActions.begin(), kActions.end(), action) == kActions.end()) {
        return "expected destroy, restart, preserve, rename-restart, coredump-destroy or "
               "coredump-restart, found " +
               value.repr();
    }
    out = action;
    return std::nullopt;
}

Apply string_field(std::string VmConfig::*field) {
    return [field](VmConfig& config, const PythonValue& value) {
        return want_string(value, config.*field);
    };
}

std::optional<std::string> apply_memory(VmConfig& config, const PythonValue& value) {
    std::int64_t mib = 0;
    if (auto problem = want_int(value, mib, 1)) {
        return problem;
    }
    config.memory_dynamic_min = config.memory_dynamic_max = mib * VmConfig::kMiB;
    config.memory_static_max = std::max(config.memory_static_max, mib * VmConfig::kMiB);
    return std::nullopt;
}

std::optional<std::string> apply_maxmem(VmConfig& config, const PythonValue& value) {
    std::int64_t mib = 0;
    if (auto problem = want_int(value, mib, 1)) {
        return problem;
    }
    if (mib * VmConfig::kMiB < config.memory_dynamic_max) {
        return "maxmem (" + std::to_string(mib) + " MiB) is below memory (" +
               std::to_string(config.memory_dynamic_max / VmConfig::kMiB) + " MiB)";
    }
    config.memory_static_max = mib * VmConfig::kMiB;
    return std::nullopt;
}

std::optional<std::string> apply_vcpus(VmConfig& config, const PythonValue& value) {
    std::int64_t count = 0;
    if (auto problem = want_int(value, count, 1)) {
        return problem;
    }
    config.vcpus_max = config.vcpus_at_startup = count;
    return std::nullopt;
}

std::optional<std::string> apply_cpus(VmConfig& config, const PythonValue& value) {
    if (value.is_list()) {
        std::string joined;
        for (const auto& item : value.as_list()) {
            if (!item.is_int()) {
                return std::string("expected a list of pCPU numbers, found ") + item.repr();
            }
            joined += (joined.empty() ? "" : ",") + std::to_string(item.as_int());
        }
        config.cpus = joined;
        return std::nullopt;
    }
    return want_string(value, config.cpus);
}

std::optional<std::string> apply_disks(VmConfig& config, const PythonValue& value) {
    std::vector<std::string> entries;
    if (auto problem = want_string_list(value, entries)) {
        return problem;
    }
    config.disks.clear();
    for (const auto& entry : entries) {
        auto disk = parse_disk_spec(entry);
        if (!disk) {
            return disk.error().message;
        }
        config.disks.push_back(disk.value());
    }
    return std::nullopt;
}

std::optional<std::string> apply_vifs(VmConfig& config, const PythonValue& value) {
    std::vector<std::string> entries;
    if (auto problem = want_string_list(value, entries)) {
        return problem;
    }
    config.vifs.clear();
    for (const auto& entry : entries) {
        auto vif = parse_vif_spec(entry);
        if (!vif) {
            return vif.error().message;
        }
        config.vifs.push_back(vif.value());
    }
    return std::nullopt;
}

std::optional<std::string> apply_scheduler(std::optional<std::int64_t>& field,
                                           const PythonValue& value) {
    std::int64_t number = 0;
    if (auto problem = want_int(value, number, 0)) {
        return problem;
    }
    field = number;
    return std::nullopt;
}

std::optional<std::string> ignore(VmConfig&, const PythonValue&) {
    return std::nullopt;
}

// Settings in the order they are applied.
const std::vector<std::pair<std::string, Apply>>& settings_table() {
    static const std::vector<std::pair<std::string, Apply>> kTable = {
        {"name", string_field(&VmConfig::name)},
        {"description", string_field(&VmConfig::description)},
        {"uuid", string_field(&VmConfig::uuid)},
        {"builder",
         [](VmConfig&, const PythonValue& value) -> std::optional<std::string> {
             if (!value.is_string() || value.as_string() != "linux") {
                 return "only the PV builder \"linux\" is supported, found " + value.repr();
             }
             return std::nullopt;
         }},
        {"kernel", string_field(&VmConfig::kernel)},
        {"ramdisk", string_field(&VmConfig::ramdisk)},
        {"root", string_field(&VmConfig::root)},
        {"extra", string_field(&VmConfig::extra)},
        {"bootloader", string_field(&VmConfig::bootloader)},
        {"bootargs", string_field(&VmConfig::bootloader_args)},
        {"memory", apply_memory},
        {"maxmem", apply_maxmem},
        {"vcpus", apply_vcpus},
        {"cpus", apply_cpus},
        {"cpu_weight",
         [](VmConfig& c, const PythonValue& v) { return apply_scheduler(c.cpu_weight, v); }},
        {"cpu_cap",
         [](VmConfig& c, const PythonValue& v) { return apply_scheduler(c.cpu_cap, v); }},
        {"disk", apply_disks},
        {"vif", apply_vifs},
        {"on_poweroff",
         [](VmConfig& c, const PythonValue& v) { return want_action(v, c.on_poweroff); }},
        {"on_reboot",
         [](VmConfig& c, const PythonValue& v) { return want_action(v, c.on_reboot); }},
        {"on_crash", [](VmConfig& c, const PythonValue& v) { return want_action(v, c.on_crash); }},
        // Accepted for compatibility; they have no XenAPI meaning on Tern.
        {"nics", ignore},
        {"on_xend_start", ignore},
        {"on_xend_stop", ignore},
    };
    return kTable;
}

}  // namespace

const std::vector<std::string>& classic_setting_names() {
    static const std::vector<std::string> kNames = [] {
        std::vector<std::string> names;
        for (const auto& [name, apply] : settings_table()) {
            names.push_back(name);
        }
        return names;
    }();
    return kNames;
}

ConfigResult<VmConfig> apply_settings(VmConfig config, const std::vector<Assignment>& settings,
                                      const std::string& file) {
    // The last assignment of a key wins, as in Python.
    std::map<std::string, const Assignment*> latest;
    for (const auto& setting : settings) {
        auto known = std::find_if(settings_table().begin(), settings_table().end(),
                                  [&](const auto& entry) { return entry.first == setting.key; });
        if (known == settings_table().end()) {
            return ConfigError{setting.key_where.line > 0 ? file : "command line",
                               setting.key_where,
                               "unknown setting '" + setting.key +
                                   "' (see the CONFIG FILES section of xm(1) for the known ones)"};
        }
        latest[setting.key] = &setting;
    }
    for (const auto& [name, apply] : settings_table()) {
        auto found = latest.find(name);
        if (found == latest.end()) {
            continue;
        }
        const Assignment& setting = *found->second;
        if (auto problem = apply(config, setting.value)) {
            // Overrides from the command line have no position in the file.
            bool from_file = setting.value.where.line > 0;
            return ConfigError{from_file ? file : "command line", setting.value.where,
                               setting.key + ": " + *problem};
        }
    }
    return config;
}

ConfigResult<std::vector<Assignment>> parse_overrides(const std::vector<std::string>& overrides) {
    std::vector<Assignment> settings;
    for (const auto& override_text : overrides) {
        auto equals = override_text.find('=');
        std::string where = "command-line setting '" + override_text + "'";
        if (equals == std::string::npos || equals == 0) {
            return ConfigError{"", {}, where + ": expected key=value"};
        }
        Assignment setting;
        setting.key = override_text.substr(0, equals);
        std::string text = override_text.substr(equals + 1);
        auto value = parse_python_value(text, where);
        if (value) {
            setting.value = value.value();
        } else {
            // A bare word is taken as a string, as xm does (name=vm1).
            setting.value = PythonValue{text, {}};
        }
        settings.push_back(std::move(setting));
    }
    return settings;
}

ConfigResult<VmConfig> load_classic_config(std::string_view text, const std::string& file,
                                           const std::vector<std::string>& overrides) {
    auto parsed = parse_classic_config(text, file);
    if (!parsed) {
        return parsed.error();
    }
    auto extra = parse_overrides(overrides);
    if (!extra) {
        return extra.error();
    }
    auto settings = parsed.value();
    settings.insert(settings.end(), extra.value().begin(), extra.value().end());
    // Overrides come last, so the "last assignment wins" rule lets them win.
    auto config = apply_settings(VmConfig{}, settings, file);
    if (config && config.value().name.empty()) {
        return ConfigError{file,
                           {},
                           "no name: set name = \"...\" in the file or name=... on "
                           "the command line"};
    }
    return config;
}

}  // namespace tern::cli
