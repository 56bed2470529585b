// Fuzz target: the XML-RPC codec on arbitrary bytes, as a request and as a response. Whatever
// parses must encode again and parse back to the same value.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rpc/xmlrpc_codec.hpp"

using namespace tern::xapi::rpc;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto call = parse_method_call(text);
    if (auto* c = std::get_if<MethodCall>(&call)) {
        auto again = parse_method_call(encode_method_call(*c));
        auto* back = std::get_if<MethodCall>(&again);
        if (back == nullptr || back->params != c->params)
            std::abort();
    }
    auto response = parse_method_response(text);
    if (auto* v = std::get_if<Value>(&response)) {
        auto again = parse_method_response(encode_response(*v));
        auto* back = std::get_if<Value>(&again);
        if (back == nullptr || !(*back == *v))
            std::abort();
    }
    return 0;
}
