// Defines the seam between the transports (HTTP over TLS, a Unix socket, stdio) and the API:
// a transport hands every XML-RPC request body to a RequestHandler and writes back what the
// handler completes with. Handlers may complete later and from any thread; the transport
// posts the completion back onto the connection's own I/O thread.
#pragma once

#include <sys/types.h>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "rpc/xmlrpc_codec.hpp"

namespace tern::xapi {
class ConsoleConnector;
class DiskTransfers;
}  // namespace tern::xapi

namespace tern::xapi::rpc {

// Who is on the other end of a connection.
struct Peer {
    enum class Transport { https, unix_socket, stdio };
    Transport transport = Transport::https;
    // The peer's uid, known for Unix sockets (SO_PEERCRED) and for stdio (our own uid).
    std::optional<uid_t> uid;
    // "1.2.3.4:5678" for TCP, the socket path for Unix sockets, "stdio" for stdio.
    std::string address;
    // Runs a job on the connection's own I/O thread, where its answer is written: a call that
    // answers later (event.from, event.next) builds the answer there, one thread hop from the
    // change instead of two. Empty when the transport has none (the job then runs elsewhere).
    std::function<void(std::function<void()>)> run_on_connection;
    // Names the thread run_on_connection reaches (its event loop; null: unknown). Connections
    // of one loop share its thread, so that jobs for several of them may run in one pass.
    const void* loop = nullptr;
};

struct RpcResponse {
    int http_status = 200;
    std::string content_type = "text/xml";
    std::string body;
    // When not empty, the body instead: pieces written out in order, of which some are
    // shared with other responses (xmlrpc_codec.hpp's encode_response_pieces).
    std::vector<Piece> pieces;
};

using RpcCompletion = std::function<void(RpcResponse)>;

class RequestHandler {
  public:
    virtual ~RequestHandler() = default;
    // Called once per POSTed request body. `done` must be called exactly once.
    virtual void handle_rpc(std::string body, const Peer& peer, RpcCompletion done) = 0;
    // Answers at once every call that is waiting for something to happen (event.next,
    // event.from), and every later one; called before the transports close, so that no answer
    // is left for a connection that is gone.
    virtual void stop_waiting() {}
    // What serves raw disk uploads and downloads (PUT /import_raw_vdi, GET /export_raw_vdi) on
    // the same listeners; null: none (see transport/disk_transfer.hpp).
    virtual DiskTransfers* disk_transfers() { return nullptr; }
    // What attaches consoles (CONNECT /console?ref=...) on the same listeners; null: none
    // (see transport/console_connect.hpp).
    virtual ConsoleConnector* console_connector() { return nullptr; }
};

}  // namespace tern::xapi::rpc
