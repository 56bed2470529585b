// Tests of the XML-RPC codec: every type both ways, the leniency real clients need, and
// refusal of malformed or hostile input.
#include "rpc/xmlrpc_codec.hpp"

#include <gtest/gtest.h>

namespace tern::xapi::rpc {
namespace {

// What Python's xmlrpc.client.dumps() produces for a typical call (captured verbatim).
constexpr const char* kPythonCall = R"(<?xml version='1.0'?>
<methodCall>
<methodName>session.login_with_password</methodName>
<params>
<param>
<value><string>OpaqueRef:abc</string></value>
</param>
<param>
<value><string>root</string></value>
</param>
<param>
<value><int>268435456</int></value>
</param>
<param>
<value><boolean>1</boolean></value>
</param>
<param>
<value><double>1.5</double></value>
</param>
<param>
<value><struct>
<member>
<name>a</name>
<value><array><data>
<value><int>1</int></value>
<value><string>b</string></value>
</data></array></value>
</member>
</struct></value>
</param>
<param>
<value><nil/></value></param>
</params>
</methodCall>
)";

MethodCall parse_ok(std::string_view xml) {
    auto parsed = parse_method_call(xml);
    if (auto* e = std::get_if<ParseError>(&parsed)) {
        ADD_FAILURE() << e->message;
        return {};
    }
    return std::get<MethodCall>(parsed);
}

std::string parse_error(std::string_view xml) {
    auto parsed = parse_method_call(xml);
    if (auto* e = std::get_if<ParseError>(&parsed))
        return e->message;
    ADD_FAILURE() << "parsed although it should not";
    return {};
}

TEST(XmlRpcCodec, DecodesWhatPythonSends) {
    MethodCall call = parse_ok(kPythonCall);
    EXPECT_EQ(call.method, "session.login_with_password");
    ASSERT_EQ(call.params.size(), 7u);
    EXPECT_EQ(call.params[0], Value{"OpaqueRef:abc"});
    EXPECT_EQ(call.params[2], Value{std::int64_t{268435456}});
    EXPECT_EQ(call.params[3], Value{true});
    EXPECT_EQ(call.params[4], Value{1.5});
    Struct expected{{"a", Value{Array{Value{1}, Value{"b"}}}}};
    EXPECT_EQ(call.params[5], Value{expected});
    EXPECT_TRUE(call.params[6].is<Nil>());
}

TEST(XmlRpcCodec, UntypedValuesAreStringsAndKeepTheirSpaces) {
    MethodCall call = parse_ok(
        "<methodCall><methodName>a.b</methodName><params><param><value>  x y </value></param>"
        "<param><value></value></param></params></methodCall>");
    ASSERT_EQ(call.params.size(), 2u);
    EXPECT_EQ(call.params[0], Value{"  x y "});
    EXPECT_EQ(call.params[1], Value{""});
}

TEST(XmlRpcCodec, IntegerSpellings) {
    MethodCall call = parse_ok(
        "<methodCall><methodName>m</methodName><params>"
        "<param><value><i4>-7</i4></value></param>"
        "<param><value><i8>9223372036854775807</i8></value></param>"
        "<param><value><int> +12 </int></value></param>"
        "</params></methodCall>");
    ASSERT_EQ(call.params.size(), 3u);
    EXPECT_EQ(call.params[0], Value{std::int64_t{-7}});
    EXPECT_EQ(call.params[1], Value{std::int64_t{9223372036854775807}});
    EXPECT_EQ(call.params[2], Value{std::int64_t{12}});
    EXPECT_NE(parse_error("<methodCall><methodName>m</methodName><params><param><value><int>"
                          "99999999999999999999</int></value></param></params></methodCall>"),
              "");
    EXPECT_NE(parse_error("<methodCall><methodName>m</methodName><params><param><value><int>"
                          "12abc</int></value></param></params></methodCall>"),
              "");
}

TEST(XmlRpcCodec, RoundTripsEveryType) {
    MethodCall call{
        "VM.create",
        {Value{"OpaqueRef:1"}, Value{std::int64_t{1} << 40}, Value{-3}, Value{false}, Value{0.25},
         Value{DateTime{"20261124T12:00:00Z"}}, Value{"a & b < c > d \xc3\xa9"},
         Value{Struct{{"k&", Value{Array{Value{"x"}, Value{Struct{}}}}}}}, Value{Array{}}}};
    MethodCall back = parse_ok(encode_method_call(call));
    EXPECT_EQ(back.method, call.method);
    EXPECT_EQ(back.params, call.params);
}

TEST(XmlRpcCodec, ResponsesAndFaults) {
    Struct ok{{"Status", Value{"Success"}}, {"Value", Value{""}}};
    auto parsed = parse_method_response(encode_response(Value{ok}));
    ASSERT_TRUE(std::holds_alternative<Value>(parsed));
    EXPECT_EQ(std::get<Value>(parsed), Value{ok});

    auto fault = parse_method_response(encode_fault(-1, "Malformed request"));
    ASSERT_TRUE(std::holds_alternative<Fault>(fault));
    EXPECT_EQ(std::get<Fault>(fault).code, -1);
    EXPECT_EQ(std::get<Fault>(fault).message, "Malformed request");
}

TEST(XmlRpcCodec, EncodesIntsThatDoNotFitAsI8) {
    const std::string xml = encode_response(Value{std::int64_t{1} << 33});
    EXPECT_NE(xml.find("<i8>8589934592</i8>"), std::string::npos);
    EXPECT_NE(encode_response(Value{5}).find("<int>5</int>"), std::string::npos);
}

TEST(XmlRpcCodec, RefusesMalformedInput) {
    EXPECT_NE(parse_error("not xml at all").find("malformed XML"), std::string::npos);
    EXPECT_NE(parse_error("<methodCall><methodName>x</methodName>"), "");
    EXPECT_NE(parse_error("<methodResponse/>"), "");
    EXPECT_NE(parse_error("<methodCall><params/></methodCall>"), "");
    EXPECT_NE(parse_error("<methodCall><methodName>m</methodName><params><param><value>"
                          "<bogus/></value></param></params></methodCall>"),
              "");
    EXPECT_NE(parse_error("<methodCall><methodName>m</methodName><params><param><value>"
                          "<boolean>2</boolean></value></param></params></methodCall>"),
              "");
    EXPECT_NE(parse_error("<methodCall><methodName>m</methodName><params><param><value>"
                          "<struct><member><name>a</name></member></struct></value></param>"
                          "</params></methodCall>"),
              "");
}

TEST(XmlRpcCodec, RefusesDoctypesSoEntitiesCannotExpand) {
    const char* laughs =
        "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY a \"aaaaaaaaaa\">"
        "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>"
        "<methodCall><methodName>&b;</methodName></methodCall>";
    EXPECT_NE(parse_error(laughs).find("DOCTYPE"), std::string::npos);
}

// A thread keeps its parser from one call to the next: what one call was (refused, in
// another encoding, full of new names) must not change how the next one reads.
TEST(XmlRpcCodec, EachCallReadsTheSameWhateverCameBefore) {
    const MethodCall first = parse_ok(kPythonCall);
    const std::string latin1 =
        "<?xml version='1.0' encoding='ISO-8859-1'?><methodCall><methodName>m</methodName>"
        "<params><param><value><string>caf\xe9</string></value></param></params></methodCall>";
    const std::string utf8 =
        "<?xml version='1.0'?><methodCall><methodName>m</methodName>"
        "<params><param><value><string>caf\xc3\xa9</string></value></param></params>"
        "</methodCall>";
    std::string many_names = "<methodCall><methodName>m</methodName><params>";
    for (int i = 0; i < 5000; ++i)
        many_names += "<n" + std::to_string(i) + "/>";
    many_names += "</params></methodCall>";
    for (const std::string& before :
         {std::string("<methodCall><methodName>x</methodName>"), std::string("not xml"),
          std::string("<?xml version=\"1.0\"?><!DOCTYPE m []><methodCall/>"), latin1, utf8,
          many_names, std::string(kPythonCall)}) {
        (void)parse_method_call(before);
        const MethodCall again = parse_ok(kPythonCall);
        EXPECT_EQ(again.method, first.method);
        EXPECT_EQ(again.params, first.params);
        EXPECT_EQ(parse_ok(latin1).params, parse_ok(utf8).params);
        EXPECT_EQ(parse_ok(utf8).params.at(0).as<std::string>(), "caf\xc3\xa9");
        EXPECT_NE(parse_error("<methodCall><methodName>x</methodName>").find("malformed XML"),
                  std::string::npos);
    }
}

TEST(XmlRpcCodec, LimitsNestingDepth) {
    std::string deep = "<methodCall><methodName>m</methodName><params><param><value>";
    for (int i = 0; i < kMaxNestingDepth + 5; ++i)
        deep += "<array><data><value>";
    deep += "x";
    for (int i = 0; i < kMaxNestingDepth + 5; ++i)
        deep += "</value></data></array>";
    deep += "</value></param></params></methodCall>";
    EXPECT_NE(parse_error(deep).find("nested too deeply"), std::string::npos);

    std::string ok = "<methodCall><methodName>m</methodName><params><param><value>";
    for (int i = 0; i < 10; ++i)
        ok += "<array><data><value>";
    ok += "x";
    for (int i = 0; i < 10; ++i)
        ok += "</value></data></array>";
    ok += "</value></param></params></methodCall>";
    EXPECT_EQ(parse_ok(ok).params.size(), 1u);
}

TEST(XmlRpcCodec, AnEncodedValueIsWrittenAsItIsAndReadsBackAsItsValue) {
    const Value inner{Struct{{"a", Value{"x<y"}}, {"n", Value{std::int64_t{7}}}}};
    const Encoded shared{std::make_shared<const std::string>(encode_value(inner))};
    const std::string out = encode_response(Value{Array{Value{shared}, Value{shared}}});
    // The bytes appear verbatim, twice.
    const std::size_t first = out.find(*shared.xml);
    ASSERT_NE(first, std::string::npos);
    EXPECT_NE(out.find(*shared.xml, first + shared.xml->size()), std::string::npos);
    auto back = parse_method_response(out);
    ASSERT_TRUE(std::holds_alternative<Value>(back));
    EXPECT_EQ(std::get<Value>(back), (Value{Array{inner, inner}}));
}

TEST(XmlRpcCodec, ALargeEncodedValueIsAPieceOfItsOwnSharedNotCopied) {
    const Encoded large{
        std::make_shared<const std::string>(encode_value(Value{std::string(kSharedPiece, 'x')}))};
    const Encoded small{std::make_shared<const std::string>(encode_value(Value{"y"}))};
    const Value result{Array{Value{large}, Value{small}, Value{large}}};
    const std::vector<Piece> pieces = encode_response_pieces(result);
    std::string joined;
    int shared = 0;
    for (const Piece& p : pieces) {
        if (const auto* own = std::get_if<std::string>(&p)) {
            joined += *own;
            continue;
        }
        const auto& bytes = std::get<std::shared_ptr<const std::string>>(p);
        EXPECT_EQ(bytes.get(), large.xml.get()) << "only the large value is shared";
        joined += *bytes;
        ++shared;
    }
    EXPECT_EQ(shared, 2);
    EXPECT_EQ(joined, encode_response(result)) << "the same bytes as in one piece";
    // A response without a large encoded value is one piece of its own.
    const std::vector<Piece> one = encode_response_pieces(Value{Struct{{"a", Value{small}}}});
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(std::get<std::string>(one[0]), encode_response(Value{Struct{{"a", Value{small}}}}));
}

}  // namespace
}  // namespace tern::xapi::rpc
