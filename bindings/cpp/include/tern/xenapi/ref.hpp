// A typed object reference: Ref<VM> and Ref<host> are different types, so a host's reference
// cannot be passed where a VM's is expected. The text is opaque ("OpaqueRef:…").
#pragma once

#include <compare>
#include <string>

namespace tern::xenapi {

inline constexpr const char* kNullRef = "OpaqueRef:NULL";

template <class Class>
class Ref {
  public:
    Ref() : id_(kNullRef) {}
    explicit Ref(std::string id) : id_(std::move(id)) {}

    const std::string& str() const { return id_; }
    bool is_null() const { return id_ == kNullRef || id_.empty(); }

    friend auto operator<=>(const Ref&, const Ref&) = default;
    friend bool operator==(const Ref&, const Ref&) = default;

  private:
    std::string id_;
};

}  // namespace tern::xenapi
