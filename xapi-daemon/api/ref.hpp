// Defines Ref, an object reference as clients see it ("OpaqueRef:<uuid>"), and the helpers
// that make new references and uuids.
#pragma once

#include <string>

namespace tern::xapi {

struct Ref {
    std::string id;
    friend bool operator==(const Ref&, const Ref&) = default;
};

inline constexpr const char* kNullRef = "OpaqueRef:NULL";

// A fresh random (version 4) uuid in its text form.
std::string make_uuid();
// The reference of a new object: "OpaqueRef:" and a fresh uuid.
std::string make_ref();
// True for the text form of a uuid.
bool is_uuid(const std::string& text);

}  // namespace tern::xapi
