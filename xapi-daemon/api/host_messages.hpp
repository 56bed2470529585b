// Defines HostHandlers (host.list_methods, enable, disable) and DebugHandlers
// (debug.return_failure).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "handlers_generated.hpp"

namespace tern::xapi {

class HostHandlers : public HostMessages {
  public:
    explicit HostHandlers(std::function<std::vector<std::string>()> methods)
        : methods_(std::move(methods)) {}
    rpc::Value list_methods(CallContext& ctx) override;
    rpc::Value enable(CallContext& ctx, const Ref& host) override;
    rpc::Value disable(CallContext& ctx, const Ref& host) override;

  private:
    std::function<std::vector<std::string>()> methods_;
};

class DebugHandlers : public DebugMessages {
  public:
    rpc::Value return_failure(CallContext& ctx) override;
};

}  // namespace tern::xapi
