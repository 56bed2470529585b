// Defines SrHandlers and PbdHandlers: storage repositories of type `file` and their
// connections to the host (see storage/file_sr.hpp for what an SR is on disk).
#pragma once

#include "handlers_generated.hpp"

namespace tern::xapi {

class SrHandlers : public SRMessages {
  public:
    rpc::Value get_supported_types(CallContext& ctx) override;
    rpc::Value create(CallContext& ctx, const Ref& host, const rpc::Value& device_config,
                      std::int64_t physical_size, const std::string& name_label,
                      const std::string& name_description, const std::string& type,
                      const std::string& content_type, bool shared,
                      const rpc::Value& sm_config) override;
    rpc::Value introduce(CallContext& ctx, const std::string& uuid, const std::string& name_label,
                         const std::string& name_description, const std::string& type,
                         const std::string& content_type, bool shared,
                         const rpc::Value& sm_config) override;
    rpc::Value forget(CallContext& ctx, const Ref& sr) override;
    rpc::Value destroy(CallContext& ctx, const Ref& sr) override;
    rpc::Value scan(CallContext& ctx, const Ref& sr) override;
};

class PbdHandlers : public PBDMessages {
  public:
    rpc::Value plug(CallContext& ctx, const Ref& self) override;
    rpc::Value unplug(CallContext& ctx, const Ref& self) override;
};

}  // namespace tern::xapi
