// Defines VdiHandlers (VDI.snapshot, clone, resize, copy) and install_storage_rules, the hooks
// of the generic VDI.create/destroy, VDI setters and PBD.create/destroy that keep images,
// sidecars and records together.
#pragma once

#include "handlers_generated.hpp"

namespace tern::xapi {

class Dispatcher;

class VdiHandlers : public VDIMessages {
  public:
    rpc::Value snapshot(CallContext& ctx, const Ref& vdi, const rpc::Value& driver_params) override;
    rpc::Value clone(CallContext& ctx, const Ref& vdi, const rpc::Value& driver_params) override;
    rpc::Value resize(CallContext& ctx, const Ref& vdi, std::int64_t size) override;
    rpc::Value copy(CallContext& ctx, const Ref& vdi, const Ref& sr) override;
};

void install_storage_rules(Dispatcher& dispatcher);

// Creates a VDI in `sr` (as VDI.create does) and returns its reference.
std::string create_vdi(CallContext& ctx, rpc::Struct record);

}  // namespace tern::xapi
