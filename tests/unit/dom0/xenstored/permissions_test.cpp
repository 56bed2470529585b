// Parsing, formatting and evaluation of permission lists.
#include "xenstored/permissions.hpp"

#include <gtest/gtest.h>

namespace tern::dom0::xenstored {
namespace {

PermissionList parse_for_test(std::vector<std::string_view> entries) {
    auto list = PermissionList::parse(entries);
    EXPECT_TRUE(list.has_value());
    return *list;
}

TEST(PermissionsTest, ParsesAndFormatsEveryLetter) {
    const auto list = parse_for_test({"n0", "r1", "w2", "b65535"});
    EXPECT_EQ(list.owner(), DomainId{0});
    EXPECT_EQ(list.to_payload(), std::string("n0\0r1\0w2\0b65535\0", 16));
}

TEST(PermissionsTest, RejectsMalformedEntries) {
    EXPECT_FALSE(PermissionList::parse({}).has_value());
    EXPECT_FALSE(PermissionList::parse({"x1"}).has_value());
    EXPECT_FALSE(PermissionList::parse({"r"}).has_value());
    EXPECT_FALSE(PermissionList::parse({"r-1"}).has_value());
    EXPECT_FALSE(PermissionList::parse({"r65536"}).has_value());
}

TEST(PermissionsTest, OwnerAndPrivilegedHaveFullAccess) {
    const auto list = parse_for_test({"n5"});
    EXPECT_EQ(list.access_for(Caller{DomainId{5}, false, {}}), Access::kBoth);
    EXPECT_EQ(list.access_for(Caller{DomainId{0}, true, {}}), Access::kBoth);
    EXPECT_TRUE(list.is_owner(Caller{DomainId{5}, false, {}}));
    EXPECT_FALSE(list.is_owner(Caller{DomainId{6}, false, {}}));
}

TEST(PermissionsTest, OthersGetTheirEntryOrTheDefault) {
    const auto list = parse_for_test({"r5", "w6", "n7"});
    EXPECT_EQ(list.access_for(Caller{DomainId{6}, false, {}}), Access::kWrite);
    EXPECT_EQ(list.access_for(Caller{DomainId{7}, false, {}}), Access::kNone);
    EXPECT_EQ(list.access_for(Caller{DomainId{8}, false, {}}), Access::kRead);
}

TEST(PermissionsTest, ATargetingDomainActsForItsTarget) {
    const auto owned = parse_for_test({"n5"});
    const Caller device_model{DomainId{9}, false, DomainId{5}};
    EXPECT_EQ(owned.access_for(device_model), Access::kBoth);
    EXPECT_TRUE(owned.is_owner(device_model));
    const auto granted = parse_for_test({"n0", "r5"});
    EXPECT_EQ(granted.access_for(device_model), Access::kRead);
}

}  // namespace
}  // namespace tern::dom0::xenstored
