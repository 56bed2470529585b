// The handlers of the database, watch and transaction requests (docs/misc/xenstore.txt gives
// their payloads).
#include <string>

#include "xenstored/handler_helpers.hpp"
#include "xenstored/path.hpp"
#include "xenstored/server_connection.hpp"
#include "xenstored/store_operations.hpp"

namespace tern::dom0::xenstored {

using namespace handler_helpers;

Transaction* XenstoreServer::transaction_of(Connection& connection, std::uint32_t tx_id) {
    const auto it = connection.transactions.find(tx_id);
    return it == connection.transactions.end() ? nullptr : it->second.get();
}

XsResult<NodeView*> XenstoreServer::view_for(Connection& connection, std::uint32_t tx_id) {
    if (tx_id == 0) {
        return static_cast<NodeView*>(&store_);
    }
    Transaction* transaction = transaction_of(connection, tx_id);
    if (transaction == nullptr) {
        return XsError::kENOENT;
    }
    return static_cast<NodeView*>(transaction);
}

template <typename Operation>
XsResult<std::string> XenstoreServer::run_store_operation(Connection& c, const Message& m,
                                                          Operation operation) {
    auto view = view_for(c, m.header.tx_id);
    if (!view.ok()) {
        return view.error();
    }
    std::vector<StoreChange> changes;
    StoreOperations operations(*view.value(), c.caller, quotas_, changes);
    XsResult<std::string> result = operation(operations);
    if (m.header.tx_id != 0) {
        auto& pending = transaction_of(c, m.header.tx_id)->changes();
        pending.insert(pending.end(), changes.begin(), changes.end());
    } else {
        fire(changes);
    }
    return result;
}

std::optional<DomainId> XenstoreServer::parse_domid(std::string_view text) const {
    const auto value = parse_decimal(text);
    if (!value || *value > 0xffff) {
        return std::nullopt;
    }
    return DomainId{static_cast<std::uint32_t>(*value)};
}

// Database requests.

XsResult<std::string> XenstoreServer::handle_read(Connection& c, const Message& m) {
    auto path = payload_path(c.caller, m.payload);
    if (!path.ok()) {
        return path.error();
    }
    return run_store_operation(c, m, [&](StoreOperations& ops) { return ops.read(path.value()); });
}

XsResult<std::string> XenstoreServer::handle_write(Connection& c, const Message& m) {
    const auto nul = m.payload.find('\0');
    if (nul == std::string::npos) {
        return XsError::kEINVAL;
    }
    auto path = resolve_path(c.caller, std::string_view(m.payload).substr(0, nul));
    if (!path.ok()) {
        return path.error();
    }
    const std::string_view value = std::string_view(m.payload).substr(nul + 1);
    return run_store_operation(c, m, [&](StoreOperations& ops) -> XsResult<std::string> {
        auto status = ops.write(path.value(), value);
        return status.ok() ? XsResult<std::string>(kOk) : status.error();
    });
}

XsResult<std::string> XenstoreServer::handle_mkdir(Connection& c, const Message& m) {
    auto path = payload_path(c.caller, m.payload);
    if (!path.ok()) {
        return path.error();
    }
    return run_store_operation(c, m, [&](StoreOperations& ops) -> XsResult<std::string> {
        auto status = ops.mkdir(path.value());
        return status.ok() ? XsResult<std::string>(kOk) : status.error();
    });
}

XsResult<std::string> XenstoreServer::handle_rm(Connection& c, const Message& m) {
    auto path = payload_path(c.caller, m.payload);
    if (!path.ok()) {
        return path.error();
    }
    return run_store_operation(c, m, [&](StoreOperations& ops) -> XsResult<std::string> {
        auto status = ops.remove(path.value());
        return status.ok() ? XsResult<std::string>(kOk) : status.error();
    });
}

XsResult<std::string> XenstoreServer::handle_directory(Connection& c, const Message& m) {
    auto path = payload_path(c.caller, m.payload);
    if (!path.ok()) {
        return path.error();
    }
    return run_store_operation(c, m, [&](StoreOperations& ops) -> XsResult<std::string> {
        auto listing = ops.directory(path.value());
        if (!listing.ok()) {
            return listing.error();
        }
        std::string payload = join_strings(listing.value().children);
        if (payload.size() > kPayloadMax) {
            return XsError::kE2BIG;
        }
        return payload;
    });
}

XsResult<std::string> XenstoreServer::handle_directory_part(Connection& c, const Message& m) {
    const auto args = split_strings(m.payload);
    if (args.size() < 2) {
        return XsError::kEINVAL;
    }
    auto path = resolve_path(c.caller, args[0]);
    const auto offset = parse_decimal(args[1]);
    if (!path.ok() || !offset) {
        return XsError::kEINVAL;
    }
    return run_store_operation(c, m, [&](StoreOperations& ops) -> XsResult<std::string> {
        auto listing = ops.directory(path.value());
        if (!listing.ok()) {
            return listing.error();
        }
        const std::string all = join_strings(listing.value().children);
        if (*offset > all.size()) {
            return XsError::kEINVAL;
        }
        // The generation, then whole children from the offset on while they fit; an empty
        // string after the last child says the list is complete.
        std::string payload = nul_terminated(std::to_string(listing.value().generation));
        std::size_t position = *offset;
        while (position < all.size()) {
            const std::size_t end = all.find('\0', position) + 1;
            if (payload.size() + (end - position) + 1 > kPayloadMax) {
                return payload;
            }
            payload.append(all, position, end - position);
            position = end;
        }
        payload += '\0';
        return payload;
    });
}

XsResult<std::string> XenstoreServer::handle_get_perms(Connection& c, const Message& m) {
    const auto raw = first_string(m.payload);
    if (!raw) {
        return XsError::kEINVAL;
    }
    if (is_special_path(*raw)) {
        const auto it = special_permissions_.find(*raw);
        if (it == special_permissions_.end()) {
            return XsError::kENOENT;
        }
        return it->second.to_payload();
    }
    auto path = resolve_path(c.caller, *raw);
    if (!path.ok()) {
        return path.error();
    }
    return run_store_operation(c, m, [&](StoreOperations& ops) -> XsResult<std::string> {
        auto permissions = ops.get_permissions(path.value());
        if (!permissions.ok()) {
            return permissions.error();
        }
        return permissions.value().to_payload();
    });
}

XsResult<std::string> XenstoreServer::handle_set_perms(Connection& c, const Message& m) {
    auto args = split_strings(m.payload);
    if (args.size() < 2) {
        return XsError::kEINVAL;
    }
    const std::string_view raw = args.front();
    args.erase(args.begin());
    const auto permissions = PermissionList::parse(args);
    if (!permissions) {
        return XsError::kEINVAL;
    }
    if (is_special_path(raw)) {
        const auto it = special_permissions_.find(raw);
        if (it == special_permissions_.end()) {
            return XsError::kENOENT;
        }
        if (!c.caller.privileged) {
            return XsError::kEACCES;
        }
        it->second = *permissions;
        return kOk;
    }
    auto path = resolve_path(c.caller, raw);
    if (!path.ok()) {
        return path.error();
    }
    return run_store_operation(c, m, [&](StoreOperations& ops) -> XsResult<std::string> {
        auto status = ops.set_permissions(path.value(), *permissions);
        return status.ok() ? XsResult<std::string>(kOk) : status.error();
    });
}

// Watches.

XsResult<std::string> XenstoreServer::handle_watch(Connection& c, const Message& m) {
    const auto args = split_strings(m.payload);
    if (args.size() < 2) {
        return XsError::kEINVAL;
    }
    auto path = resolve_watch_path(c.caller, args[0]);
    if (!path.ok()) {
        return path.error();
    }
    if (!c.caller.privileged && watches_.count_for(c.caller.domid) >= quotas_.watches) {
        return XsError::kE2BIG;
    }
    Watch watch{c.id, c.caller.domid, path.value(), std::string(args[1]), ""};
    if (args[0][0] != '/' && !is_special_path(args[0])) {
        watch.relative_base = domain_path(c.caller.domid) + "/";
    }
    const WatchEvent initial = WatchRegistry::initial_event(watch);
    auto status = watches_.add(std::move(watch));
    if (!status.ok()) {
        return status.error();
    }
    deferred_events_.push_back(initial);
    return kOk;
}

XsResult<std::string> XenstoreServer::handle_unwatch(Connection& c, const Message& m) {
    const auto args = split_strings(m.payload);
    if (args.size() < 2) {
        return XsError::kEINVAL;
    }
    auto path = resolve_watch_path(c.caller, args[0]);
    if (!path.ok()) {
        return path.error();
    }
    auto status = watches_.remove(c.id, path.value(), std::string(args[1]));
    return status.ok() ? XsResult<std::string>(kOk) : status.error();
}

XsResult<std::string> XenstoreServer::handle_reset_watches(Connection& c, const Message&) {
    watches_.remove_all(c.id);
    c.transactions.clear();
    return kOk;
}

// Transactions.

XsResult<std::string> XenstoreServer::handle_transaction_start(Connection& c, const Message& m) {
    if (m.header.tx_id != 0) {
        return XsError::kEBUSY;
    }
    if (!c.caller.privileged && c.transactions.size() >= quotas_.transactions) {
        return XsError::kENOSPC;
    }
    std::uint32_t id = next_transaction_id_;
    while (id == 0 || c.transactions.contains(id)) {
        ++id;
    }
    next_transaction_id_ = id + 1;
    c.transactions.emplace(id, std::make_unique<Transaction>(store_));
    return nul_terminated(std::to_string(id));
}

XsResult<std::string> XenstoreServer::handle_transaction_end(Connection& c, const Message& m) {
    const auto it = c.transactions.find(m.header.tx_id);
    if (m.header.tx_id == 0 || it == c.transactions.end()) {
        return XsError::kENOENT;
    }
    const auto decision = first_string(m.payload);
    if (!decision || (*decision != "T" && *decision != "F")) {
        return XsError::kEINVAL;
    }
    std::unique_ptr<Transaction> transaction = std::move(it->second);
    c.transactions.erase(it);
    if (*decision == "F") {
        return kOk;
    }
    auto status = transaction->commit();
    if (!status.ok()) {
        return status.error();
    }
    fire(transaction->changes());
    return kOk;
}

}  // namespace tern::dom0::xenstored
