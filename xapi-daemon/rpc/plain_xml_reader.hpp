// Defines read_plain_xml: a reader for the plain XML that XML-RPC clients send (elements
// without attributes or namespaces, ASCII text without references, an optional
// <?xml version="1.0"?> declaration), several times cheaper than setting libxml2's parser to
// work on a call of a few hundred bytes. It reads exactly what libxml2 would make of such a
// document; for anything else (any '&', byte over 127, comment, CDATA, DOCTYPE, attribute,
// carriage return, malformation...) it answers nullopt and the caller hands the document to
// libxml2, which reads it or says what is wrong with it.
#pragma once

#include <optional>
#include <string_view>

#include "rpc/xml_tree.hpp"

namespace tern::xapi::rpc {

// Deeper than this, the reader leaves the document to libxml2 (and the codec refuses it).
inline constexpr int kPlainXmlMaxDepth = 128;

std::optional<XmlElements> read_plain_xml(std::string_view xml);

}  // namespace tern::xapi::rpc
