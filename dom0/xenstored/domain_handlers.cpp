// The handlers of the domain requests (INTRODUCE, RELEASE, GET_DOMAIN_PATH,
// IS_DOMAIN_INTRODUCED, RESUME, SET_TARGET) and of CONTROL.
#include <iostream>
#include <string>

#include "xenstored/handler_helpers.hpp"
#include "xenstored/path.hpp"
#include "xenstored/server_connection.hpp"

namespace tern::dom0::xenstored {

using namespace handler_helpers;

XsResult<std::string> XenstoreServer::handle_introduce(Connection&, const Message& m) {
    const auto args = split_strings(m.payload);
    if (args.size() < 3) {
        return XsError::kEINVAL;
    }
    const auto domid = parse_domid(args[0]);
    const auto mfn = parse_decimal(args[1]);
    const auto port = parse_decimal(args[2]);
    if (!domid || !mfn || !port || domid->value == 0 || domid->value >= kFirstReservedDomid ||
        *port > 0xffffffffULL) {
        return XsError::kEINVAL;
    }
    if (domains_.find(*domid) != nullptr) {
        return kOk;
    }
    DomainRecord record{*domid,       *mfn,         static_cast<std::uint32_t>(*port),
                        std::nullopt, std::nullopt, false};
    if (connector_) {
        if (auto transport = connector_(*domid, *mfn, record.event_channel)) {
            record.connection = add_connection(std::move(transport), Caller{*domid, false, {}});
            opened_.push_back(*record.connection);
        }
    }
    domains_.add(record);
    fire({StoreChange{std::string(kIntroduceDomainWatch), false, PermissionList::owned_by(kDom0)}});
    return kOk;
}

XsResult<std::string> XenstoreServer::handle_release(Connection&, const Message& m) {
    const auto raw = first_string(m.payload);
    const auto domid = raw ? parse_domid(*raw) : std::nullopt;
    if (!domid || domid->value == 0) {
        return XsError::kEINVAL;
    }
    if (domains_.find(*domid) == nullptr) {
        return XsError::kENOENT;
    }
    release_domain(*domid);
    return kOk;
}

XsResult<std::string> XenstoreServer::handle_get_domain_path(Connection&, const Message& m) {
    const auto raw = first_string(m.payload);
    const auto domid = raw ? parse_domid(*raw) : std::nullopt;
    if (!domid) {
        return XsError::kEINVAL;
    }
    return nul_terminated(domain_path(*domid));
}

XsResult<std::string> XenstoreServer::handle_is_domain_introduced(Connection&, const Message& m) {
    const auto raw = first_string(m.payload);
    const auto domid = raw ? parse_domid(*raw) : std::nullopt;
    if (!domid) {
        return XsError::kEINVAL;
    }
    const bool introduced = domid->value == 0 || domains_.find(*domid) != nullptr;
    return nul_terminated(introduced ? "T" : "F");
}

XsResult<std::string> XenstoreServer::handle_resume(Connection&, const Message& m) {
    const auto raw = first_string(m.payload);
    const auto domid = raw ? parse_domid(*raw) : std::nullopt;
    if (!domid) {
        return XsError::kEINVAL;
    }
    DomainRecord* domain = domains_.find(*domid);
    if (domain == nullptr) {
        return XsError::kENOENT;
    }
    domain->shutdown_reported = false;
    return kOk;
}

XsResult<std::string> XenstoreServer::handle_set_target(Connection&, const Message& m) {
    const auto args = split_strings(m.payload);
    if (args.size() < 2) {
        return XsError::kEINVAL;
    }
    const auto domid = parse_domid(args[0]);
    const auto target = parse_domid(args[1]);
    if (!domid || !target) {
        return XsError::kEINVAL;
    }
    DomainRecord* domain = domains_.find(*domid);
    if (domain == nullptr || domains_.find(*target) == nullptr) {
        return XsError::kENOENT;
    }
    domain->target = *target;
    if (domain->connection) {
        const auto it = connections_.find(*domain->connection);
        if (it != connections_.end()) {
            it->second->caller.target = *target;
        }
    }
    return kOk;
}

// CONTROL: log on|off, print <text>, quota [set <name> <value> | <domid>], help.

XsResult<std::string> XenstoreServer::handle_control(Connection&, const Message& m) {
    auto args = split_strings(m.payload);
    if (args.empty()) {
        return XsError::kEINVAL;
    }
    const std::string_view command = args.front();
    args.erase(args.begin());
    if (command == "help") {
        return nul_terminated(
            "help\nlog on|off\nprint <text>\nquota [set <name> <value>|<domid>]\n");
    }
    if (command == "log") {
        if (args.size() != 1 || (args[0] != "on" && args[0] != "off")) {
            return XsError::kEINVAL;
        }
        logging_ = args[0] == "on";
        return kOk;
    }
    if (command == "print") {
        if (args.empty()) {
            return XsError::kEINVAL;
        }
        std::clog << "xenstored: " << args[0] << '\n';
        return kOk;
    }
    if (command == "quota") {
        return control_quota(args);
    }
    return XsError::kEINVAL;
}

XsResult<std::string> XenstoreServer::control_quota(const std::vector<std::string_view>& args) {
    if (args.empty()) {
        return nul_terminated(quotas_.describe());
    }
    if (args[0] == "set") {
        const auto value = args.size() == 3 ? parse_decimal(args[2]) : std::nullopt;
        if (!value || !quotas_.set(args[1], *value)) {
            return XsError::kEINVAL;
        }
        return kOk;
    }
    const auto domid = parse_domid(args[0]);
    if (!domid || args.size() != 1) {
        return XsError::kEINVAL;
    }
    std::size_t transactions = 0;
    for (const auto& [id, connection] : connections_) {
        if (connection->caller.domid == *domid) {
            transactions += connection->transactions.size();
        }
    }
    return nul_terminated("nodes " + std::to_string(store_.owned_nodes(*domid)) + "\nwatches " +
                          std::to_string(watches_.count_for(*domid)) + "\ntransactions " +
                          std::to_string(transactions) + "\n");
}

}  // namespace tern::dom0::xenstored
