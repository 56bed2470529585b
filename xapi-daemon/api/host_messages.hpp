// Defines HostHandlers (host.list_methods, enable, disable) and DebugHandlers
// (debug.return_failure and the sim backend's controls).
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

// debug.return_failure, and the controls of the sim backend (sim_debug_messages.cpp), which
// answer OPERATION_NOT_ALLOWED with any other backend.
class DebugHandlers : public DebugMessages {
  public:
    rpc::Value return_failure(CallContext& ctx) override;
    rpc::Value sim_guest_exit(CallContext& ctx, const Ref& vm, const std::string& how) override;
    rpc::Value sim_inject_failure(CallContext& ctx, const std::string& operation,
                                  const std::string& code, std::int64_t times) override;
    rpc::Value sim_set_latency(CallContext& ctx, const std::string& operation,
                               std::int64_t milliseconds) override;
};

}  // namespace tern::xapi
