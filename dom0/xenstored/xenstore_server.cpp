// Connections, message framing, dispatch and watch delivery of the xenstore server.
#include "xenstored/xenstore_server.hpp"

#include <array>
#include <cstring>
#include <iostream>

#include "xenstored/path.hpp"
#include "xenstored/server_connection.hpp"

namespace tern::dom0::xenstored {

XenstoreServer::XenstoreServer(Quotas quotas, RingConnector connector)
    : quotas_(quotas), connector_(std::move(connector)) {
    special_permissions_.emplace(std::string(kIntroduceDomainWatch),
                                 PermissionList::owned_by(kDom0));
    special_permissions_.emplace(std::string(kReleaseDomainWatch), PermissionList::owned_by(kDom0));
}

XenstoreServer::~XenstoreServer() = default;

ConnectionId XenstoreServer::add_connection(std::unique_ptr<Transport> transport, Caller caller) {
    auto connection = std::make_unique<Connection>();
    connection->id = next_connection_id_++;
    connection->caller = caller;
    connection->transport = std::move(transport);
    log("new connection " + std::to_string(connection->id) + ": " +
        connection->transport->describe() + ", domain " + std::to_string(caller.domid.value));
    const ConnectionId id = connection->id;
    connections_.emplace(id, std::move(connection));
    return id;
}

Transport* XenstoreServer::transport(ConnectionId id) const {
    const auto it = connections_.find(id);
    return it == connections_.end() ? nullptr : it->second->transport.get();
}

bool XenstoreServer::has_pending_output(ConnectionId id) const {
    const auto it = connections_.find(id);
    return it != connections_.end() && !it->second->output.empty();
}

std::vector<ConnectionId> XenstoreServer::take_opened() {
    return std::exchange(opened_, {});
}

std::vector<ConnectionId> XenstoreServer::take_closed() {
    for (auto id : closed_) {
        connections_.erase(id);
    }
    return std::exchange(closed_, {});
}

void XenstoreServer::service(ConnectionId id) {
    const auto it = connections_.find(id);
    if (it == connections_.end() || it->second->closing) {
        return;
    }
    Connection& connection = *it->second;
    connection.transport->acknowledge_event();
    // First what a backlog held back: unsent output, then requests already read.
    flush(connection);
    parse_input(connection);
    std::array<char, 4096> buffer{};
    while (!connection.closing && !backlogged(connection)) {
        const IoResult result = connection.transport->read(buffer);
        connection.input.append(buffer.data(), result.bytes);
        parse_input(connection);
        if (result.closed) {
            close(connection);
        }
        if (result.closed || result.bytes == 0) {
            break;
        }
    }
    flush_all();
}

bool XenstoreServer::backlogged(const Connection& connection) const {
    // A ring peer that does not consume its replies stops being read (its request ring fills
    // up); a socket peer is dom0's own tool and is always read.
    return !connection.transport->waits_for_writable() && connection.output.size() > kOutputBacklog;
}

void XenstoreServer::parse_input(Connection& connection) {
    while (!connection.closing && !backlogged(connection) &&
           connection.input.size() >= kHeaderSize) {
        MessageHeader header{};
        std::memcpy(&header, connection.input.data(), kHeaderSize);
        if (header.len > kPayloadMax) {
            // docs/misc/xenstore.txt: a client exceeding the payload limit is disconnected.
            log("connection " + std::to_string(connection.id) + ": payload of " +
                std::to_string(header.len) + " bytes, closing");
            close(connection);
            return;
        }
        if (connection.input.size() < kHeaderSize + header.len) {
            return;
        }
        Message message{header, connection.input.substr(kHeaderSize, header.len)};
        connection.input.erase(0, kHeaderSize + header.len);
        handle_message(connection, message);
    }
}

const std::vector<XenstoreServer::HandlerEntry>& XenstoreServer::handler_table() {
    static const std::vector<HandlerEntry> kTable = {
        {MessageType::kControl, &XenstoreServer::handle_control, true},
        {MessageType::kDirectory, &XenstoreServer::handle_directory, false},
        {MessageType::kRead, &XenstoreServer::handle_read, false},
        {MessageType::kGetPerms, &XenstoreServer::handle_get_perms, false},
        {MessageType::kWatch, &XenstoreServer::handle_watch, false},
        {MessageType::kUnwatch, &XenstoreServer::handle_unwatch, false},
        {MessageType::kTransactionStart, &XenstoreServer::handle_transaction_start, false},
        {MessageType::kTransactionEnd, &XenstoreServer::handle_transaction_end, false},
        {MessageType::kIntroduce, &XenstoreServer::handle_introduce, true},
        {MessageType::kRelease, &XenstoreServer::handle_release, true},
        {MessageType::kGetDomainPath, &XenstoreServer::handle_get_domain_path, false},
        {MessageType::kWrite, &XenstoreServer::handle_write, false},
        {MessageType::kMkdir, &XenstoreServer::handle_mkdir, false},
        {MessageType::kRm, &XenstoreServer::handle_rm, false},
        {MessageType::kSetPerms, &XenstoreServer::handle_set_perms, false},
        {MessageType::kIsDomainIntroduced, &XenstoreServer::handle_is_domain_introduced, false},
        {MessageType::kResume, &XenstoreServer::handle_resume, true},
        {MessageType::kSetTarget, &XenstoreServer::handle_set_target, true},
        {MessageType::kResetWatches, &XenstoreServer::handle_reset_watches, false},
        {MessageType::kDirectoryPart, &XenstoreServer::handle_directory_part, false},
    };
    return kTable;
}

void XenstoreServer::handle_message(Connection& connection, const Message& message) {
    const auto& header = message.header;
    if (logging_) {
        log("connection " + std::to_string(connection.id) + " -> " +
            std::string(message_type_name(header.type)) + " req " + std::to_string(header.req_id) +
            " tx " + std::to_string(header.tx_id));
    }
    XsResult<std::string> result = XsError::kEINVAL;
    if (!connection.caller.privileged && message.payload.size() > quotas_.request_size) {
        result = XsError::kE2BIG;
    } else {
        for (const auto& entry : handler_table()) {
            if (static_cast<std::uint32_t>(entry.type) != header.type) {
                continue;
            }
            if (entry.privileged_only && !connection.caller.privileged) {
                result = XsError::kEACCES;
            } else {
                result = (this->*entry.handler)(connection, message);
            }
            break;
        }
    }
    if (result.ok()) {
        reply(connection, header, static_cast<MessageType>(header.type), result.value());
    } else {
        const std::string name(error_name(result.error()));
        log("connection " + std::to_string(connection.id) + " <- ERROR " + name);
        reply(connection, header, MessageType::kError, name + std::string(1, '\0'));
    }
    // Watch events caused by this request follow its reply.
    for (const auto& event : std::exchange(deferred_events_, {})) {
        queue_event(event);
    }
}

void XenstoreServer::reply(Connection& connection, const MessageHeader& request, MessageType type,
                           std::string_view payload) {
    const MessageHeader header{static_cast<std::uint32_t>(type), request.req_id, request.tx_id, 0};
    connection.output += encode_message(header, payload);
}

void XenstoreServer::fire(const std::vector<StoreChange>& changes) {
    for (const auto& change : changes) {
        for (const auto& [event, watch] : watches_.match(change)) {
            const auto it = connections_.find(event.connection);
            if (it == connections_.end() || it->second->closing) {
                continue;
            }
            const Caller& watcher = it->second->caller;
            const auto special = special_permissions_.find(change.path);
            const PermissionList& permissions =
                special != special_permissions_.end() ? special->second : change.permissions;
            if (allows_read(permissions.access_for(watcher))) {
                deferred_events_.push_back(event);
            }
        }
    }
}

void XenstoreServer::queue_event(const WatchEvent& event) {
    const auto it = connections_.find(event.connection);
    if (it == connections_.end() || it->second->closing) {
        return;
    }
    if (!it->second->caller.privileged && it->second->output.size() > kEventBacklog) {
        log("connection " + std::to_string(event.connection) + ": event for " + event.path +
            " dropped, " + std::to_string(it->second->output.size()) + " bytes unread");
        return;
    }
    std::string payload = event.path;
    payload += '\0';
    payload += event.token;
    payload += '\0';
    it->second->output += encode_message(
        MessageHeader{static_cast<std::uint32_t>(MessageType::kWatchEvent), 0, 0, 0}, payload);
}

void XenstoreServer::flush_all() {
    // Events raised outside a request (domain shutdown) are queued here.
    for (const auto& event : std::exchange(deferred_events_, {})) {
        queue_event(event);
    }
    for (auto& [id, connection] : connections_) {
        if (!connection->closing) {
            flush(*connection);
        }
    }
}

void XenstoreServer::flush(Connection& connection) {
    while (!connection.output.empty()) {
        const IoResult result = connection.transport->write(connection.output);
        connection.output.erase(0, result.bytes);
        if (result.closed) {
            close(connection);
            return;
        }
        if (result.bytes == 0) {
            return;
        }
    }
}

void XenstoreServer::close(Connection& connection) {
    if (connection.closing) {
        return;
    }
    log("connection " + std::to_string(connection.id) + " closed");
    connection.closing = true;
    watches_.remove_all(connection.id);
    connection.transactions.clear();
    closed_.push_back(connection.id);
}

void XenstoreServer::log(const std::string& line) const {
    if (logging_) {
        std::clog << "xenstored: " << line << '\n';
    }
}

}  // namespace tern::dom0::xenstored
