// Defines VdiTransfers: xapid's side of the raw disk upload and download endpoints
// (transport/disk_transfer.hpp). A caller names a session (`session_id=` in the query) or
// logs in with HTTP Basic authorization; `vdi=` names the VDI by reference or uuid. Refusals
// answer an HTTP status with the XenAPI error as a JSON array in the body:
//   401 SESSION_INVALID / SESSION_AUTHENTICATION_FAILED, 404 HANDLE_INVALID / UUID_INVALID,
//   400 a missing parameter or a write past the end, 403 VDI_READONLY, 409 VDI_IN_USE,
//   500 anything else.
#pragma once

#include <functional>
#include <memory>

#include "api/call_context.hpp"
#include "transport/disk_transfer.hpp"

namespace tern::xapi {

class VdiTransfers : public DiskTransfers {
  public:
    using Post = std::function<void(std::function<void()>)>;
    // `post` runs work off the I/O threads (logins may wait on PAM).
    VdiTransfers(ApiState& state, Post post) : state_(state), post_(std::move(post)) {}
    // A transfer still held by a connection after the API is gone touches nothing of it.
    ~VdiTransfers() override { *alive_ = false; }
    void open(TransferRequest request, Opened done) override;

  private:
    std::unique_ptr<DiskTransfer> open_now(const TransferRequest& request);

    ApiState& state_;
    Post post_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// The decoded value of `key` in the query of `target`, if present.
std::optional<std::string> query_parameter(std::string_view target, std::string_view key);
// user and password of a "Basic ..." Authorization header.
std::optional<std::pair<std::string, std::string>> basic_credentials(std::string_view header);

}  // namespace tern::xapi
