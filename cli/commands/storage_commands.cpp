// vdi-create, vdi-list, vdi-destroy, sr-list.
#include <cstdio>

#include "commands/domain_lookup.hpp"
#include "commands/handlers.hpp"
#include "commands/json_output.hpp"
#include "commands/vm_builder.hpp"
#include "terminal/task_progress.hpp"

namespace tern::cli {
namespace {

std::string human_size(std::int64_t bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
    return text;
}

}  // namespace

int run_vdi_create(Invocation& invocation) {
    auto sr = default_sr(invocation.api(), invocation.value("sr"));
    auto size = parse_size(invocation.args[1]);
    auto vdi =
        invocation.api().vdi_create(sr.ref, invocation.args[0], size, invocation.has("sharable"),
                                    invocation.has("read-only"), {});
    for (const auto& record : invocation.api().vdis()) {
        if (record.ref == vdi) {
            invocation.out() << record.uuid << "\n";
        }
    }
    return 0;
}

int run_vdi_list(Invocation& invocation) {
    auto vdis = invocation.api().vdis();
    if (invocation.has("sr")) {
        auto sr = default_sr(invocation.api(), invocation.value("sr"));
        std::erase_if(vdis, [&](const VdiRecord& vdi) { return vdi.sr != sr.ref; });
    }
    auto& out = invocation.out();
    if (invocation.has("json")) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& vdi : vdis) {
            all.push_back(to_json(vdi));
        }
        out << all.dump(2) << "\n";
        return 0;
    }
    char line[512];
    std::snprintf(line, sizeof line, "%-24s %-36s %10s %s\n", "Name", "UUID", "Size", "Type");
    out << line;
    for (const auto& vdi : vdis) {
        std::snprintf(line, sizeof line, "%-24s %-36s %10s %s\n", vdi.name.c_str(),
                      vdi.uuid.c_str(), human_size(vdi.virtual_size).c_str(), vdi.type.c_str());
        out << line;
        if (invocation.has("long")) {
            out << "    location " << vdi.location << ", used "
                << human_size(vdi.physical_utilisation) << (vdi.read_only ? ", read-only" : "")
                << (vdi.sharable ? ", sharable" : "") << ", " << vdi.vbds.size() << " VBD(s)\n";
        }
    }
    return 0;
}

int run_vdi_destroy(Invocation& invocation) {
    for (const auto& vdi : invocation.api().vdis()) {
        if (vdi.uuid == invocation.args[0] || vdi.name == invocation.args[0]) {
            invocation.api().vdi_destroy(vdi.ref);
            return 0;
        }
    }
    throw CommandError("no VDI is named or has the uuid '" + invocation.args[0] + "'");
}

int run_vdi_copy(Invocation& invocation) {
    XenApi& api = invocation.api();
    for (const auto& vdi : api.vdis()) {
        if (vdi.uuid != invocation.args[0] && vdi.name != invocation.args[0]) {
            continue;
        }
        std::string sr =
            invocation.has("sr") ? default_sr(api, invocation.value("sr")).ref : vdi.sr;
        auto task = api.vdi_copy_async(vdi.ref, sr);
        std::string result = wait_for_task(api, task, "Copying " + vdi.name, invocation.out(),
                                           invocation.context.out_is_terminal);
        // xapi-style task results carry the XML-RPC text of the value: <value>ref</value>.
        for (const char* tag : {"<value>", "</value>"}) {
            if (auto at = result.find(tag); at != std::string::npos) {
                result.erase(at, std::string(tag).size());
            }
        }
        for (const auto& copy : api.vdis()) {
            if (copy.ref == result) {
                invocation.out() << copy.uuid << "\n";
            }
        }
        return 0;
    }
    throw CommandError("no VDI is named or has the uuid '" + invocation.args[0] + "'");
}

int run_sr_list(Invocation& invocation) {
    auto srs = invocation.api().srs();
    auto& out = invocation.out();
    if (invocation.has("json")) {
        nlohmann::json all = nlohmann::json::array();
        for (const auto& sr : srs) {
            all.push_back(to_json(sr));
        }
        out << all.dump(2) << "\n";
        return 0;
    }
    char line[512];
    std::snprintf(line, sizeof line, "%-24s %-36s %-8s %10s %10s\n", "Name", "UUID", "Type", "Size",
                  "Used");
    out << line;
    for (const auto& sr : srs) {
        std::snprintf(line, sizeof line, "%-24s %-36s %-8s %10s %10s\n", sr.name.c_str(),
                      sr.uuid.c_str(), sr.type.c_str(), human_size(sr.physical_size).c_str(),
                      human_size(sr.physical_utilisation).c_str());
        out << line;
        if (invocation.has("long")) {
            out << "    " << sr.vdis.size() << " VDI(s)\n";
        }
    }
    return 0;
}

}  // namespace tern::cli
