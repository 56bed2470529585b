// Defines the XML-RPC codec: method calls and responses to and from rpc::Value, on libxml2.
//
// Parsing is hostile-input safe: no network access, no entity expansion, a nesting-depth
// limit. Encoding writes every string untyped (<value>text</value>), as xapi does.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rpc/value.hpp"

namespace tern::xapi::rpc {

struct MethodCall {
    std::string method;
    Array params;
};

struct ParseError {
    std::string message;
};

struct Fault {
    int code = 0;
    std::string message;
};

// The deepest nesting of arrays and structs a message may have.
inline constexpr int kMaxNestingDepth = 64;

std::variant<MethodCall, ParseError> parse_method_call(std::string_view xml);
std::variant<Value, Fault, ParseError> parse_method_response(std::string_view xml);

std::string encode_response(const Value& result);
// A piece of an encoded response: text of its own, or bytes shared with other responses.
using Piece = std::variant<std::string, std::shared_ptr<const std::string>>;
// Encoded values at least this long are shared pieces of a response, not copied into it.
inline constexpr std::size_t kSharedPiece = 1024;
// The same bytes as encode_response, in pieces: every Encoded value of kSharedPiece bytes or
// more is a piece of its own that the response shares (an event.from answer sent to many
// watchers), so that the transport writes it out without copying it into each response.
std::vector<Piece> encode_response_pieces(const Value& result);
std::string encode_fault(int code, std::string_view message);
std::string encode_method_call(const MethodCall& call);
// One <value>...</value> element, as xapi stores task results.
std::string encode_value(const Value& value);

}  // namespace tern::xapi::rpc
