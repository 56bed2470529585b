// Defines SessionHandlers: login and logout.
#pragma once

#include "handlers_generated.hpp"

namespace tern::xapi {

class SessionHandlers : public SessionMessages {
  public:
    rpc::Value login_with_password(CallContext& ctx, const std::string& uname,
                                   const std::string& pwd, const std::string& version,
                                   const std::string& originator) override;
    rpc::Value logout(CallContext& ctx) override;
    rpc::Value local_logout(CallContext& ctx) override;
};

}  // namespace tern::xapi
