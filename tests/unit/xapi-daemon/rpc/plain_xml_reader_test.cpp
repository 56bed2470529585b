// Tests of the plain-XML reader: it reads what clients send, leaves everything else to
// libxml2, and a call reads the same through it as through libxml2 alone, for the documents
// clients send and for two hundred thousand mutations of them.
#include "rpc/plain_xml_reader.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "rpc/xmlrpc_codec.hpp"

namespace tern::xapi::rpc {
namespace {

// What bench/vm_lifecycle's event_load and Python's xmlrpc.client send.
const std::vector<std::string>& seeds() {
    static const std::vector<std::string> all = {
        "<?xml version=\"1.0\"?><methodCall><methodName>event.from</methodName><params>"
        "<param><value><string>OpaqueRef:1</string></value></param><param><value><array>"
        "<data><value><string>vm</string></value></data></array></value></param><param>"
        "<value><string>00000000000000000042</string></value></param><param><value>"
        "<double>5.0</double></value></param></params></methodCall>",
        "<?xml version='1.0'?>\n<methodCall>\n<methodName>VM.create</methodName>\n<params>\n"
        "<param>\n<value><string>s</string></value>\n</param>\n<param>\n<value><struct>\n"
        "<member>\n<name>name_label</name>\n<value><string>a b</string></value>\n</member>\n"
        "<member>\n<name>VCPUs_max</name>\n<value><int>2</int></value>\n</member>\n"
        "<member>\n<name>ok</name>\n<value><boolean>1</boolean></value>\n</member>\n"
        "<member>\n<name>none</name>\n<value><nil/></value></member>\n"
        "</struct></value>\n</param>\n</params>\n</methodCall>\n",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><methodCall ><methodName>m</methodName >"
        "<params><param><value>untyped</value></param><param><value/></param></params>"
        "</methodCall>",
        "<methodCall><methodName>x</methodName><params/></methodCall>",
    };
    return all;
}

bool same(const std::variant<MethodCall, ParseError>& a,
          const std::variant<MethodCall, ParseError>& b) {
    if (a.index() != b.index())
        return false;
    if (const auto* e = std::get_if<ParseError>(&a))
        return e->message == std::get<ParseError>(b).message;
    const auto& x = std::get<MethodCall>(a);
    const auto& y = std::get<MethodCall>(b);
    return x.method == y.method && x.params == y.params;
}

TEST(PlainXmlReader, ReadsWhatClientsSend) {
    for (const std::string& doc : seeds()) {
        EXPECT_TRUE(read_plain_xml(doc).has_value()) << doc;
        const auto call = parse_method_call(doc);
        ASSERT_TRUE(std::holds_alternative<MethodCall>(call)) << doc;
        EXPECT_TRUE(same(call, parse_method_call_with_libxml2(doc))) << doc;
    }
    const auto call = std::get<MethodCall>(parse_method_call(seeds()[0]));
    EXPECT_EQ(call.method, "event.from");
    ASSERT_EQ(call.params.size(), 4u);
    EXPECT_EQ(call.params[2].as<std::string>(), "00000000000000000042");
    EXPECT_EQ(call.params[3].as<double>(), 5.0);
}

TEST(PlainXmlReader, LeavesAnythingElseToLibxml2) {
    for (const char* doc : {
             "<a>&amp;</a>",                 // a reference
             "<a>caf\xc3\xa9</a>",           // not ASCII
             "<a>x\r\ny</a>",                // a carriage return (XML rewrites it)
             "<a><!-- c --></a>",            // a comment
             "<a><![CDATA[x]]></a>",         // CDATA
             "<!DOCTYPE a><a/>",             // a DOCTYPE
             "<a b=\"1\"/>",                 // an attribute
             "<x:a/>",                       // a namespace prefix
             "<?xml version=\"1.1\"?><a/>",  // another version
             "<?xml version=\"1.0\" standalone=\"yes\"?><a/>",
             "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a/>",
             " <?xml version=\"1.0\"?><a/>",  // a declaration not at the start
             "<a>]]></a>",                    // not allowed in text
             "<a></b>",                       // malformed
             "<a>",                           // unfinished
             "<a/><b/>",                      // two roots
             "<a/>x",                         // text after the root
             "",                              // empty
         }) {
        EXPECT_FALSE(read_plain_xml(doc).has_value()) << doc;
    }
    std::string deep;
    for (int i = 0; i <= kPlainXmlMaxDepth; ++i)
        deep += "<a>";
    for (int i = 0; i <= kPlainXmlMaxDepth; ++i)
        deep += "</a>";
    EXPECT_FALSE(read_plain_xml(deep).has_value());
}

// Random edits of the seeds with the characters and pieces that matter to XML: whatever the
// plain reader accepts must read exactly as libxml2 reads it, errors included.
TEST(PlainXmlReader, EveryMutationReadsAsLibxml2ReadsIt) {
    const std::vector<std::string> pieces = {"<",
                                             ">",
                                             "/",
                                             "?",
                                             "!",
                                             "&",
                                             ";",
                                             "'",
                                             "\"",
                                             "=",
                                             ":",
                                             "-",
                                             "_",
                                             ".",
                                             "a",
                                             "Z",
                                             "0",
                                             " ",
                                             "\t",
                                             "\n",
                                             "\r",
                                             "]",
                                             std::string(1, '\0'),
                                             "\xc3\xa9",
                                             "\x80",
                                             "<a>",
                                             "</a>",
                                             "<value>",
                                             "</value>",
                                             "<string>",
                                             "</string>",
                                             "<nil/>",
                                             "]]>",
                                             "&amp;",
                                             "&#65;",
                                             "<!-- c -->",
                                             "<![CDATA[x]]>",
                                             "<?xml version=\"1.0\"?>",
                                             "<?pi x?>",
                                             "<b c='d'>"};
    std::mt19937 random(4);
    int plain = 0;
    for (int round = 0; round < 200000; ++round) {
        std::string doc = seeds()[static_cast<std::size_t>(round) % seeds().size()];
        const int edits = 1 + static_cast<int>(random() % 3);
        for (int e = 0; e < edits && !doc.empty(); ++e) {
            const std::size_t at = random() % (doc.size() + 1);
            const std::string& piece = pieces[random() % pieces.size()];
            switch (random() % 3) {
                case 0:
                    doc.insert(at, piece);
                    break;
                case 1:
                    doc.replace(std::min(at, doc.size() - 1), 1, piece);
                    break;
                default:
                    doc.erase(std::min(at, doc.size() - 1), 1 + random() % 8);
                    break;
            }
        }
        plain += read_plain_xml(doc).has_value() ? 1 : 0;
        ASSERT_TRUE(same(parse_method_call(doc), parse_method_call_with_libxml2(doc))) << doc;
    }
    // Enough of them were read by the plain reader for the comparison to mean something.
    EXPECT_GT(plain, 4000);
}

}  // namespace
}  // namespace tern::xapi::rpc
