// Defines VbdHandlers and VifHandlers: hot-plug of a running VM's disks and network interfaces
// through the backend (plug, unplug), and the CD drive's media (insert, eject, media_change).
// A device of a VM that does not run is only recorded; it is attached when the VM starts.
#pragma once

#include "handlers_generated.hpp"

namespace tern::xapi {

class VbdHandlers : public VBDMessages {
  public:
    rpc::Value plug(CallContext& ctx, const Ref& self) override;
    rpc::Value unplug(CallContext& ctx, const Ref& self) override;
    rpc::Value insert(CallContext& ctx, const Ref& vbd, const Ref& vdi) override;
    rpc::Value eject(CallContext& ctx, const Ref& vbd) override;
    rpc::Value media_change(CallContext& ctx, const Ref& vbd, const Ref& vdi) override;
};

class VifHandlers : public VIFMessages {
  public:
    rpc::Value plug(CallContext& ctx, const Ref& self) override;
    rpc::Value unplug(CallContext& ctx, const Ref& self) override;
};

}  // namespace tern::xapi
