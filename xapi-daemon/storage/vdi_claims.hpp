// Defines VdiClaim: what keeps two operations of one VDI from running into each other in this
// daemon (an import writing into a VDI while a snapshot moves its file, a resize during a
// copy). Reading operations (export, copy) share a VDI; writing ones (import, resize,
// snapshot, clone, destroy) need it alone. A claim that cannot be had throws
// VDI_IN_USE(vdi, the operation asked for).
#pragma once

#include <string>

namespace tern::xapi {

class VdiClaim {
  public:
    enum class Mode { shared, exclusive };
    VdiClaim(std::string vdi, Mode mode, const char* operation);
    ~VdiClaim();
    VdiClaim(const VdiClaim&) = delete;
    VdiClaim& operator=(const VdiClaim&) = delete;

  private:
    std::string vdi_;
    Mode mode_;
};

}  // namespace tern::xapi
