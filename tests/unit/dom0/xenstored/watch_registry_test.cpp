// Which watches a change fires, with which path, and watch bookkeeping.
#include "xenstored/watch_registry.hpp"

#include <gtest/gtest.h>

namespace tern::dom0::xenstored {
namespace {

StoreChange change_for_test(std::string path, bool recursive = false) {
    return StoreChange{std::move(path), recursive, PermissionList::owned_by(kDom0)};
}

std::vector<std::string> event_paths(const WatchRegistry& registry, const StoreChange& change) {
    std::vector<std::string> paths;
    for (const auto& [event, watch] : registry.match(change)) {
        paths.push_back(event.path + "|" + event.token);
    }
    return paths;
}

TEST(WatchRegistryTest, AWatchFiresForItsPathAndEverythingBelow) {
    WatchRegistry registry;
    ASSERT_TRUE(registry.add(Watch{1, kDom0, "/a", "t", ""}).ok());
    EXPECT_EQ(event_paths(registry, change_for_test("/a")), std::vector<std::string>{"/a|t"});
    EXPECT_EQ(event_paths(registry, change_for_test("/a/b/c")),
              std::vector<std::string>{"/a/b/c|t"});
    EXPECT_TRUE(event_paths(registry, change_for_test("/ab")).empty());
    EXPECT_TRUE(event_paths(registry, change_for_test("/")).empty());
}

TEST(WatchRegistryTest, RemovingAParentFiresWatchesBelowWithTheirOwnPath) {
    WatchRegistry registry;
    ASSERT_TRUE(registry.add(Watch{1, kDom0, "/a/b/c", "t", ""}).ok());
    EXPECT_TRUE(event_paths(registry, change_for_test("/a")).empty());
    EXPECT_EQ(event_paths(registry, change_for_test("/a", true)),
              std::vector<std::string>{"/a/b/c|t"});
}

TEST(WatchRegistryTest, RelativeWatchesGetRelativePaths) {
    WatchRegistry registry;
    ASSERT_TRUE(
        registry.add(Watch{1, DomainId{3}, "/local/domain/3/x", "t", "/local/domain/3/"}).ok());
    EXPECT_EQ(event_paths(registry, change_for_test("/local/domain/3/x/y")),
              std::vector<std::string>{"x/y|t"});
    EXPECT_EQ(WatchRegistry::initial_event(
                  Watch{1, DomainId{3}, "/local/domain/3/x", "t", "/local/domain/3/"})
                  .path,
              "x");
}

TEST(WatchRegistryTest, SpecialWatchesMatchOnlyTheirName) {
    WatchRegistry registry;
    ASSERT_TRUE(registry.add(Watch{1, kDom0, "@releaseDomain", "r", ""}).ok());
    ASSERT_TRUE(registry.add(Watch{1, kDom0, "/", "root", ""}).ok());
    EXPECT_EQ(event_paths(registry, change_for_test("@releaseDomain")),
              std::vector<std::string>{"@releaseDomain|r"});
    EXPECT_TRUE(event_paths(registry, change_for_test("@introduceDomain")).empty());
}

TEST(WatchRegistryTest, DuplicatesAndMissingWatches) {
    WatchRegistry registry;
    ASSERT_TRUE(registry.add(Watch{1, kDom0, "/a", "t", ""}).ok());
    EXPECT_EQ(registry.add(Watch{1, kDom0, "/a", "t", ""}).error(), XsError::kEEXIST);
    EXPECT_TRUE(registry.add(Watch{1, kDom0, "/a", "u", ""}).ok());
    EXPECT_TRUE(registry.add(Watch{2, DomainId{4}, "/a", "t", ""}).ok());
    EXPECT_EQ(registry.count_for(kDom0), 2U);
    EXPECT_EQ(registry.count_for(DomainId{4}), 1U);
    EXPECT_EQ(registry.remove(1, "/a", "zzz").error(), XsError::kENOENT);
    EXPECT_TRUE(registry.remove(1, "/a", "t").ok());
    registry.remove_all(1);
    EXPECT_EQ(registry.count_for_connection(1), 0U);
    EXPECT_EQ(registry.count_for_connection(2), 1U);
}

}  // namespace
}  // namespace tern::dom0::xenstored
