// Defines XenstoreServer: the store, the watches, the domains and every connection, and the
// handling of each request type. It does no waiting of its own: the event loop (or a test)
// hands it connections and tells it when one has input.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "xenstored/domain_registry.hpp"
#include "xenstored/node_store.hpp"
#include "xenstored/quotas.hpp"
#include "xenstored/transaction.hpp"
#include "xenstored/transport.hpp"
#include "xenstored/watch_registry.hpp"
#include "xenstored/wire.hpp"

namespace tern::dom0::xenstored {

// Maps a domain's ring on INTRODUCE (domid, ring page frame, the domain's unbound event
// channel). Returns nullptr when no ring can be mapped (a host without Xen): the domain is then
// recorded as introduced without a connection.
using RingConnector = std::function<std::unique_ptr<Transport>(DomainId, std::uint64_t mfn,
                                                               std::uint32_t event_channel)>;

// What the hypervisor says about a domain, for update_domains.
enum class DomainRunState { kRunning, kShutdown };

class XenstoreServer {
  public:
    // Unsent bytes above which a ring connection's requests are no longer read.
    static constexpr std::size_t kOutputBacklog = 64 * 1024;
    // Unsent bytes above which an unprivileged connection's watch events are dropped.
    static constexpr std::size_t kEventBacklog = 1024 * 1024;

    XenstoreServer(Quotas quotas, RingConnector connector);
    ~XenstoreServer();

    // Adds a connection speaking for `caller`.
    ConnectionId add_connection(std::unique_ptr<Transport> transport, Caller caller);
    // Reads and handles everything the connection has sent, then sends what is queued.
    void service(ConnectionId id);
    // Sends what is queued on every connection, as far as the transports take it.
    void flush_all();
    // True if the connection has output its transport did not take yet.
    bool has_pending_output(ConnectionId id) const;
    // Connections opened by INTRODUCE and closed (by the peer, RELEASE or an error) since the
    // last call, for the event loop to watch or forget their fds.
    std::vector<ConnectionId> take_opened();
    std::vector<ConnectionId> take_closed();
    // The transport of a live connection, or nullptr.
    Transport* transport(ConnectionId id) const;
    std::size_t connection_count() const { return connections_.size(); }

    // Tells watchers of @releaseDomain that a domain shut down (once, until RESUME).
    void report_domain_shutdown(DomainId domid);
    // Brings the introduced domains in line with the hypervisor's list (after VIRQ_DOM_EXC):
    // a domain no longer listed is released, one listed as shut down is reported.
    void update_domains(const std::map<std::uint32_t, DomainRunState>& listed);

    void set_logging(bool on) { logging_ = on; }
    bool logging() const { return logging_; }
    Quotas& quotas() { return quotas_; }
    NodeStore& store() { return store_; }

  private:
    struct Connection;
    using Handler = XsResult<std::string> (XenstoreServer::*)(Connection&, const Message&);
    struct HandlerEntry {
        MessageType type;
        Handler handler;
        bool privileged_only;
    };
    static const std::vector<HandlerEntry>& handler_table();

    void handle_message(Connection& connection, const Message& message);
    void parse_input(Connection& connection);
    void flush(Connection& connection);
    bool backlogged(const Connection& connection) const;
    void close(Connection& connection);
    // Disconnects an introduced domain, forgets it and fires @releaseDomain.
    void release_domain(DomainId domid);
    void reply(Connection& connection, const MessageHeader& request, MessageType type,
               std::string_view payload);
    void fire(const std::vector<StoreChange>& changes);
    void queue_event(const WatchEvent& event);
    void log(const std::string& line) const;

    // Each handler returns the reply payload or the error handle_message turns into an ERROR
    // reply.
    XsResult<NodeView*> view_for(Connection& connection, std::uint32_t tx_id);
    Transaction* transaction_of(Connection& connection, std::uint32_t tx_id);

    XsResult<std::string> handle_read(Connection& c, const Message& m);
    XsResult<std::string> handle_write(Connection& c, const Message& m);
    XsResult<std::string> handle_mkdir(Connection& c, const Message& m);
    XsResult<std::string> handle_rm(Connection& c, const Message& m);
    XsResult<std::string> handle_directory(Connection& c, const Message& m);
    XsResult<std::string> handle_directory_part(Connection& c, const Message& m);
    XsResult<std::string> handle_get_perms(Connection& c, const Message& m);
    XsResult<std::string> handle_set_perms(Connection& c, const Message& m);
    XsResult<std::string> handle_watch(Connection& c, const Message& m);
    XsResult<std::string> handle_unwatch(Connection& c, const Message& m);
    XsResult<std::string> handle_reset_watches(Connection& c, const Message& m);
    XsResult<std::string> handle_transaction_start(Connection& c, const Message& m);
    XsResult<std::string> handle_transaction_end(Connection& c, const Message& m);
    XsResult<std::string> handle_introduce(Connection& c, const Message& m);
    XsResult<std::string> handle_release(Connection& c, const Message& m);
    XsResult<std::string> handle_get_domain_path(Connection& c, const Message& m);
    XsResult<std::string> handle_is_domain_introduced(Connection& c, const Message& m);
    XsResult<std::string> handle_resume(Connection& c, const Message& m);
    XsResult<std::string> handle_set_target(Connection& c, const Message& m);
    XsResult<std::string> handle_control(Connection& c, const Message& m);

    // Runs a store operation in the request's transaction (or directly), then fires watches
    // for what changed outside a transaction.
    template <typename Operation>
    XsResult<std::string> run_store_operation(Connection& c, const Message& m, Operation operation);

    std::optional<DomainId> parse_domid(std::string_view text) const;
    XsResult<std::string> control_quota(const std::vector<std::string_view>& args);

    NodeStore store_;
    WatchRegistry watches_;
    DomainRegistry domains_;
    Quotas quotas_;
    RingConnector connector_;
    std::map<ConnectionId, std::unique_ptr<Connection>> connections_;
    std::map<std::string, PermissionList, std::less<>> special_permissions_;
    std::vector<ConnectionId> opened_;
    std::vector<ConnectionId> closed_;
    // Watch events raised while handling a request, sent after its reply.
    std::vector<WatchEvent> deferred_events_;
    ConnectionId next_connection_id_ = 1;
    std::uint32_t next_transaction_id_ = 1;
    bool logging_ = false;
};

}  // namespace tern::dom0::xenstored
