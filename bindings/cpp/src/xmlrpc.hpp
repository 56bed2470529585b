// The client side of XML-RPC, on libxml2: a methodCall document out, a methodResponse in.
#pragma once

#include <string>
#include <string_view>

#include "tern/xenapi/value.hpp"

namespace tern::xenapi::detail {

std::string encode_call(std::string_view method, const Array& params);

// The response's single value; a <fault> or malformed XML raises ProtocolError.
Value decode_response(std::string_view xml);

}  // namespace tern::xenapi::detail
