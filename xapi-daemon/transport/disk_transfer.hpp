// Defines the seam for raw disk uploads and downloads on the API's HTTP listeners, as XenAPI
// hosts serve them: `PUT /import_raw_vdi?session_id=...&vdi=...` writes the request body into
// a VDI from offset 0, `GET /export_raw_vdi?...` answers the VDI's whole contents. The
// transport streams the bytes (never the whole disk in memory); a DiskTransfers (xapid's
// storage) decides who may and opens the disk.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "rpc/request_handler.hpp"

namespace tern::xapi {

struct TransferRequest {
    enum class Kind { import_raw, export_raw };
    Kind kind = Kind::export_raw;
    std::string target;         // the request target: path and query
    std::string authorization;  // the Authorization header, if any
    rpc::Peer peer;
};

// A refusal or failure: the HTTP status and a body naming the XenAPI error.
class TransferFailure : public std::runtime_error {
  public:
    TransferFailure(unsigned status, std::string body)
        : std::runtime_error(body), status_(status), body_(std::move(body)) {}
    unsigned status() const { return status_; }
    const std::string& body() const { return body_; }

  private:
    unsigned status_;
    std::string body_;
};

// One open transfer. write/read/finish throw TransferFailure.
class DiskTransfer {
  public:
    virtual ~DiskTransfer() = default;
    virtual std::uint64_t size() const = 0;
    virtual void write(std::uint64_t offset, std::span<const std::byte> data) = 0;
    virtual void read(std::uint64_t offset, std::span<std::byte> out) = 0;
    // Called once at the end; `complete` is false when the client went away or a chunk failed.
    virtual void finish(bool complete) = 0;
};

class DiskTransfers {
  public:
    virtual ~DiskTransfers() = default;
    // The transfer a request target asks for, or nullopt when it is no disk transfer.
    static std::optional<TransferRequest::Kind> kind_of(std::string_view target) {
        const std::string_view path = target.substr(0, target.find('?'));
        if (path == "/import_raw_vdi")
            return TransferRequest::Kind::import_raw;
        if (path == "/export_raw_vdi")
            return TransferRequest::Kind::export_raw;
        return std::nullopt;
    }
    // Checks the caller and opens the disk, off the I/O threads; `done` gets the transfer or
    // the failure to answer, from any thread.
    using Opened =
        std::function<void(std::unique_ptr<DiskTransfer>, std::optional<TransferFailure>)>;
    virtual void open(TransferRequest request, Opened done) = 0;
};

}  // namespace tern::xapi
