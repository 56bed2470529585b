// The C++ binding's XML-RPC codec and value conversions, without a server.
#include <gtest/gtest.h>

#include "tern/xenapi/xenapi.hpp"
#include "xmlrpc.hpp"

namespace tern::xenapi {
namespace {

TEST(CppCodec, EncodesACallWithEscapedStringsAndNestedValues) {
    const std::string xml = detail::encode_call(
        "VM.set_name_label",
        Array{"OpaqueRef:1", Value("a<b & \"c\""), Value(Struct{{"k", Value(Array{true, 2.5})}})});
    EXPECT_NE(xml.find("<methodName>VM.set_name_label</methodName>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("a&lt;b &amp; \"c\""), std::string::npos) << xml;
    EXPECT_NE(xml.find("<name>k</name>"), std::string::npos) << xml;
    EXPECT_NE(xml.find("<boolean>1</boolean>"), std::string::npos) << xml;
}

TEST(CppCodec, DecodesUntypedStringsStructsAndArrays) {
    const Value v = detail::decode_response(
        "<?xml version='1.0'?><methodResponse><params><param><value><struct>"
        "<member><name>Status</name><value>Success</value></member>"
        "<member><name>Value</name><value><array><data><value>  spaced </value>"
        "<value><i8>9000000000</i8></value><value><boolean>0</boolean></value>"
        "</data></array></value></member></struct></value></param></params></methodResponse>");
    const Array& items = v.member("Value").as<Array>("array");
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[0], Value("  spaced "));
    EXPECT_EQ(items[1], Value(std::int64_t{9000000000}));
    EXPECT_EQ(items[2], Value(false));
}

TEST(CppCodec, FaultsAndMalformedAnswersAreProtocolErrors) {
    EXPECT_THROW(detail::decode_response("<methodResponse><fault><value><struct><member><name>"
                                         "faultString</name><value>bad</value></member></struct>"
                                         "</value></fault></methodResponse>"),
                 ProtocolError);
    EXPECT_THROW(detail::decode_response("<methodResponse><params>"), ProtocolError);
}

TEST(CppCodec, IntsTravelAsDecimalStringsAndDecodeFromEither) {
    EXPECT_EQ(encode(std::int64_t{536870912}), Value("536870912"));
    EXPECT_EQ(decode_as<std::int64_t>(Value("42")), 42);
    EXPECT_EQ(decode_as<std::int64_t>(Value(std::int64_t{7})), 7);
    EXPECT_THROW(decode_as<std::int64_t>(Value("4x")), ProtocolError);
}

TEST(CppCodec, DatetimesRoundTripInTheWireForm) {
    const DateTime t = parse_datetime("20261202T04:05:06Z");
    EXPECT_EQ(format_datetime(t), "20261202T04:05:06Z");
    EXPECT_EQ(parse_datetime("2026-12-02T04:05:06Z"), t);
}

TEST(CppCodec, EnumsConvertToAndFromStringsInAnyCase) {
    EXPECT_EQ(to_string(VmPowerState::Running), "Running");
    EXPECT_EQ(from_string<VmPowerState>("paused"), VmPowerState::Paused);
    EXPECT_THROW(from_string<VmPowerState>("Flying"), ProtocolError);
}

TEST(CppCodec, RecordsDecodeTypedFieldsAndKeepSchemaDefaults) {
    VMRecord fresh;
    EXPECT_EQ(fresh.VCPUs_max, 1);
    EXPECT_EQ(fresh.actions_after_shutdown, OnNormalExit::destroy);
    const VMRecord r = decode_as<VMRecord>(Value(Struct{{"name_label", Value("x")},
                                                        {"memory_static_max", Value("1024")},
                                                        {"power_state", Value("Paused")},
                                                        {"VBDs", Value(Array{"OpaqueRef:a"})}}));
    EXPECT_EQ(r.name_label, "x");
    EXPECT_EQ(r.memory_static_max, 1024);
    EXPECT_EQ(r.power_state, VmPowerState::Paused);
    ASSERT_EQ(r.VBDs.size(), 1u);
    EXPECT_EQ(r.VBDs[0].str(), "OpaqueRef:a");
}

TEST(CppCodec, EveryErrorCodeHasItsOwnFailureType) {
    try {
        throw_failure("VM_BAD_POWER_STATE", {"OpaqueRef:v", "Halted", "Running"});
        FAIL();
    } catch (const errors::VM_BAD_POWER_STATE& e) {
        EXPECT_EQ(e.code(), "VM_BAD_POWER_STATE");
        EXPECT_EQ(e.vm(), "OpaqueRef:v");
        EXPECT_EQ(e.params().size(), 3u);
    }
    EXPECT_THROW(throw_failure("NOT_A_CODE_WE_KNOW", {}), Failure);
}

}  // namespace
}  // namespace tern::xenapi
