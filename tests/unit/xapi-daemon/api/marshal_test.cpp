// Tests of the type checks and encodings that the generated descriptors drive.
#include "api/marshal.hpp"

#include <gtest/gtest.h>

#include "api/api_error.hpp"

namespace tern::xapi {
namespace {

const FieldDesc& field(const char* cls, const char* name) {
    const ClassDesc* c = find_class(cls);
    for (const FieldDesc& f : c->fields) {
        if (std::string_view(f.name) == name)
            return f;
    }
    throw std::runtime_error("no field");
}

std::string error_code(const rpc::Value& in, const TypeDesc& t) {
    try {
        normalize(in, t, "x");
    } catch (const ApiError& e) {
        return e.code();
    }
    return "";
}

TEST(Marshal, DatetimesInBothSpellingsBecomeXapis) {
    const TypeDesc& t = *field("VM_metrics", "start_time").type;
    EXPECT_EQ(normalize(rpc::Value{rpc::DateTime{"20070406T12:00:00"}}, t, "x"),
              rpc::Value{rpc::DateTime{"20070406T12:00:00Z"}});
    EXPECT_EQ(normalize(rpc::Value{"2007-04-06T12:00:00Z"}, t, "x"),
              rpc::Value{rpc::DateTime{"20070406T12:00:00Z"}});
    EXPECT_EQ(error_code(rpc::Value{"yesterday"}, t), "FIELD_TYPE_ERROR");
}

TEST(Marshal, MapsKeyedByIntsAndValuesOfSets) {
    const TypeDesc& t = *field("VM_metrics", "VCPUs_flags").type;  // (int -> string set) map
    rpc::Value in{
        rpc::Struct{{"0", rpc::Value{rpc::Array{rpc::Value{"online"}, rpc::Value{"online"}}}}}};
    const rpc::Value once{rpc::Struct{{"0", rpc::Value{rpc::Array{rpc::Value{"online"}}}}}};
    EXPECT_EQ(normalize(in, t, "x"), once);
    const rpc::Value bad_key{rpc::Struct{{"zero", rpc::Value{rpc::Array{}}}}};
    EXPECT_EQ(error_code(bad_key, t), "FIELD_TYPE_ERROR");
}

TEST(Marshal, IntsTravelAsStringsInsideCollections) {
    const TypeDesc& t = *field("VM_metrics", "VCPUs_CPU").type;  // (int -> int) map
    rpc::Value canonical{rpc::Struct{{"0", rpc::Value{std::int64_t{3}}}}};
    const rpc::Value wire{rpc::Struct{{"0", rpc::Value{"3"}}}};
    EXPECT_EQ(encode(canonical, t), wire);
}

TEST(Marshal, RecordsForCreateFillDefaultsAndIgnoreReadOnlyFields) {
    const ClassDesc& vm = *find_class("VM");
    rpc::Struct r = normalize_record(
        rpc::Value{rpc::Struct{
            {"name_label", rpc::Value{"a"}}, {"domid", rpc::Value{"7"}}, {"bogus", rpc::Value{1}}}},
        vm, "args");
    EXPECT_EQ(r.size(), vm.fields.size());
    EXPECT_EQ(r.at("name_label"), rpc::Value{"a"});
    EXPECT_EQ(r.at("domid"), rpc::Value{std::int64_t{-1}});  // RO_run: the default, not "7"
    EXPECT_EQ(r.at("actions_after_reboot"), rpc::Value{"restart"});
    EXPECT_FALSE(r.contains("bogus"));
    EXPECT_THROW(normalize_record(rpc::Value{"not a struct"}, vm, "args"), ApiError);
}

}  // namespace
}  // namespace tern::xapi
