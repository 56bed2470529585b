// Path validation, resolution of relative paths and the parent/child relation.
#include "xenstored/path.hpp"

#include <gtest/gtest.h>

#include "xenstored/wire.hpp"

namespace tern::dom0::xenstored {
namespace {

const Caller kDomain3{DomainId{3}, false, {}};

TEST(PathTest, AbsolutePathsResolveToThemselves) {
    auto path = resolve_path(kDomain3, "/local/domain/7/x");
    ASSERT_TRUE(path.ok());
    EXPECT_EQ(path.value(), "/local/domain/7/x");
    EXPECT_TRUE(resolve_path(kDomain3, "/").ok());
}

TEST(PathTest, RelativePathsResolveUnderTheCallersHome) {
    auto path = resolve_path(kDomain3, "device/vif/0");
    ASSERT_TRUE(path.ok());
    EXPECT_EQ(path.value(), "/local/domain/3/device/vif/0");
}

TEST(PathTest, MalformedPathsAreRejected) {
    for (const char* bad : {"", "/a//b", "/a/", "/a b", "/a/b\xff", "/x*"}) {
        auto path = resolve_path(kDomain3, bad);
        ASSERT_FALSE(path.ok()) << bad;
        EXPECT_EQ(path.error(), XsError::kEINVAL);
    }
}

TEST(PathTest, LengthLimitsFollowXsWire) {
    const std::string longest = "/" + std::string(kAbsolutePathMax - 1, 'a');
    EXPECT_TRUE(resolve_path(kDomain3, longest).ok());
    EXPECT_FALSE(resolve_path(kDomain3, longest + "a").ok());
    EXPECT_FALSE(resolve_path(kDomain3, std::string(kRelativePathMax + 1, 'a')).ok());
}

TEST(PathTest, SpecialWatchNamesAreAcceptedOnlyForWatches) {
    auto watch = resolve_watch_path(kDomain3, "@releaseDomain");
    ASSERT_TRUE(watch.ok());
    EXPECT_EQ(watch.value(), "@releaseDomain");
    EXPECT_TRUE(is_special_path("@introduceDomain"));
    EXPECT_FALSE(is_special_path("/a"));
}

TEST(PathTest, ChildRelation) {
    EXPECT_TRUE(is_child_of("/a/b", "/a"));
    EXPECT_TRUE(is_child_of("/a", "/a"));
    EXPECT_TRUE(is_child_of("/a", "/"));
    EXPECT_FALSE(is_child_of("/ab", "/a"));
    EXPECT_FALSE(is_child_of("/a", "/a/b"));
}

TEST(PathTest, ParentLeafAndChild) {
    EXPECT_EQ(parent_path("/a/b/c"), "/a/b");
    EXPECT_EQ(parent_path("/a"), "/");
    EXPECT_EQ(leaf_name("/a/b/c"), "c");
    EXPECT_EQ(child_path("/", "a"), "/a");
    EXPECT_EQ(child_path("/a", "b"), "/a/b");
}

}  // namespace
}  // namespace tern::dom0::xenstored
