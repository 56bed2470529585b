// Defines XmlElement: the compact tree the XML-RPC codec reads a document into, whichever
// reader fills it (libxml2's SAX parser, or plain_xml_reader.hpp's for the plain documents
// clients send): each element's local name, the text directly inside it, and its element
// children linked by index, the root first.
#pragma once

#include <deque>
#include <string>

namespace tern::xapi::rpc {

struct XmlElement {
    std::string name;
    std::string text;   // text and CDATA directly below, concatenated
    bool blank = true;  // `text` holds nothing but blanks
    int first_child = -1;
    int last_child = -1;
    int next = -1;  // the next sibling
};

// (A deque: its blocks are small, where a vector's growth would make allocations large enough
// to cost the allocator a consolidation of its free lists each time.)
using XmlElements = std::deque<XmlElement>;

}  // namespace tern::xapi::rpc
