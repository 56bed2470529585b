// The database requests on the live store: creation of parents, inherited permissions,
// ownership, access checks, removal and the per-domain quotas.
#include "xenstored/store_operations.hpp"

#include <gtest/gtest.h>

#include "xenstored/node_store.hpp"

namespace tern::dom0::xenstored {
namespace {

const Caller kDom0Caller{kDom0, true, {}};
const Caller kDomain5{DomainId{5}, false, {}};
const Caller kDomain6{DomainId{6}, false, {}};

class StoreOperationsTest : public ::testing::Test {
  protected:
    StoreOperations as(const Caller& caller) {
        return StoreOperations(store_, caller, quotas_, changes_);
    }
    // /local/domain/5 owned by domain 5, as a toolstack sets it up.
    void make_home_of_domain5() {
        ASSERT_TRUE(as(kDom0Caller).mkdir("/local/domain/5").ok());
        auto list = PermissionList::parse({"n5"});
        ASSERT_TRUE(as(kDom0Caller).set_permissions("/local/domain/5", *list).ok());
        changes_.clear();
    }

    NodeStore store_;
    Quotas quotas_;
    std::vector<StoreChange> changes_;
};

TEST_F(StoreOperationsTest, WriteCreatesParentsWithEmptyValues) {
    ASSERT_TRUE(as(kDom0Caller).write("/a/b/c", "v").ok());
    EXPECT_EQ(as(kDom0Caller).read("/a/b/c").value(), "v");
    EXPECT_EQ(as(kDom0Caller).read("/a/b").value(), "");
    EXPECT_EQ(as(kDom0Caller).directory("/a").value().children, std::vector<std::string>{"b"});
    ASSERT_EQ(changes_.size(), 1U);
    EXPECT_EQ(changes_[0].path, "/a/b/c");
}

TEST_F(StoreOperationsTest, ValuesMayHoldBinaryData) {
    const std::string binary("a\0b\xff", 4);
    ASSERT_TRUE(as(kDom0Caller).write("/bin", binary).ok());
    EXPECT_EQ(as(kDom0Caller).read("/bin").value(), binary);
}

TEST_F(StoreOperationsTest, ReadOfAMissingNodeIsEnoent) {
    EXPECT_EQ(as(kDom0Caller).read("/nope").error(), XsError::kENOENT);
}

TEST_F(StoreOperationsTest, MkdirKeepsAnExistingValue) {
    ASSERT_TRUE(as(kDom0Caller).write("/a", "keep").ok());
    ASSERT_TRUE(as(kDom0Caller).mkdir("/a").ok());
    EXPECT_EQ(as(kDom0Caller).read("/a").value(), "keep");
}

TEST_F(StoreOperationsTest, UnprivilegedDomainsCannotTouchDom0Nodes) {
    ASSERT_TRUE(as(kDom0Caller).write("/secret", "x").ok());
    EXPECT_EQ(as(kDomain5).read("/secret").error(), XsError::kEACCES);
    EXPECT_EQ(as(kDomain5).write("/secret", "y").error(), XsError::kEACCES);
    EXPECT_EQ(as(kDomain5).write("/secret/child", "y").error(), XsError::kEACCES);
    EXPECT_EQ(as(kDomain5).remove("/secret").error(), XsError::kEACCES);
    EXPECT_EQ(as(kDomain5).get_permissions("/secret").error(), XsError::kEACCES);
}

TEST_F(StoreOperationsTest, NewNodesInheritPermissionsAndAreOwnedByTheirCreator) {
    make_home_of_domain5();
    ASSERT_TRUE(as(kDomain5).write("/local/domain/5/data", "1").ok());
    const auto list = as(kDom0Caller).get_permissions("/local/domain/5/data");
    EXPECT_EQ(list.value().owner(), DomainId{5});
    ASSERT_TRUE(as(kDom0Caller).write("/local/domain/5/from-dom0", "1").ok());
    EXPECT_EQ(as(kDom0Caller).get_permissions("/local/domain/5/from-dom0").value().owner(),
              DomainId{5});
    EXPECT_EQ(as(kDomain6).read("/local/domain/5/data").error(), XsError::kEACCES);
}

TEST_F(StoreOperationsTest, PermissionEntriesGrantAccessToOtherDomains) {
    make_home_of_domain5();
    ASSERT_TRUE(as(kDomain5).write("/local/domain/5/shared", "s").ok());
    auto list = PermissionList::parse({"n5", "r6"});
    ASSERT_TRUE(as(kDomain5).set_permissions("/local/domain/5/shared", *list).ok());
    EXPECT_EQ(as(kDomain6).read("/local/domain/5/shared").value(), "s");
    EXPECT_EQ(as(kDomain6).write("/local/domain/5/shared", "t").error(), XsError::kEACCES);
    EXPECT_EQ(as(kDomain6).set_permissions("/local/domain/5/shared", *list).error(),
              XsError::kEACCES);
}

TEST_F(StoreOperationsTest, RemoveDeletesTheSubtree) {
    ASSERT_TRUE(as(kDom0Caller).write("/a/b/c", "1").ok());
    ASSERT_TRUE(as(kDom0Caller).write("/a/d", "2").ok());
    changes_.clear();
    ASSERT_TRUE(as(kDom0Caller).remove("/a").ok());
    EXPECT_EQ(as(kDom0Caller).read("/a/b/c").error(), XsError::kENOENT);
    EXPECT_EQ(as(kDom0Caller).read("/a").error(), XsError::kENOENT);
    EXPECT_TRUE(as(kDom0Caller).directory("/").value().children.empty());
    EXPECT_EQ(store_.size(), 1U);
    ASSERT_EQ(changes_.size(), 1U);
    EXPECT_TRUE(changes_[0].recursive);
}

TEST_F(StoreOperationsTest, RemoveOfAMissingNodeNeedsItsParent) {
    ASSERT_TRUE(as(kDom0Caller).write("/a", "").ok());
    EXPECT_TRUE(as(kDom0Caller).remove("/a/missing").ok());
    EXPECT_EQ(as(kDom0Caller).remove("/nope/missing").error(), XsError::kENOENT);
    EXPECT_EQ(as(kDom0Caller).remove("/").error(), XsError::kEINVAL);
}

TEST_F(StoreOperationsTest, NodeQuotaLimitsUnprivilegedDomains) {
    make_home_of_domain5();
    quotas_.nodes = 3;  // The home node itself counts.
    ASSERT_TRUE(as(kDomain5).write("/local/domain/5/a", "").ok());
    ASSERT_TRUE(as(kDomain5).write("/local/domain/5/b", "").ok());
    EXPECT_EQ(as(kDomain5).write("/local/domain/5/c", "").error(), XsError::kENOSPC);
    EXPECT_EQ(as(kDomain5).write("/local/domain/5/x/y", "").error(), XsError::kENOSPC);
    ASSERT_TRUE(as(kDomain5).remove("/local/domain/5/a").ok());
    EXPECT_TRUE(as(kDomain5).write("/local/domain/5/c", "").ok());
    // dom0 is not limited.
    for (int i = 0; i < 10; ++i) {
        ASSERT_TRUE(as(kDom0Caller).write("/dom0/" + std::to_string(i), "").ok());
    }
}

TEST_F(StoreOperationsTest, EntrySizeQuotaLimitsValues) {
    make_home_of_domain5();
    quotas_.entry_size = 8;
    EXPECT_TRUE(as(kDomain5).write("/local/domain/5/a", "12345678").ok());
    EXPECT_EQ(as(kDomain5).write("/local/domain/5/a", "123456789").error(), XsError::kENOSPC);
    EXPECT_TRUE(as(kDom0Caller).write("/local/domain/5/a", "123456789").ok());
}

TEST_F(StoreOperationsTest, PermissionCountQuota) {
    make_home_of_domain5();
    quotas_.permissions = 2;
    ASSERT_TRUE(as(kDomain5).write("/local/domain/5/a", "").ok());
    EXPECT_TRUE(as(kDomain5)
                    .set_permissions("/local/domain/5/a", *PermissionList::parse({"n5", "r6"}))
                    .ok());
    EXPECT_EQ(as(kDomain5)
                  .set_permissions("/local/domain/5/a", *PermissionList::parse({"n5", "r6", "r7"}))
                  .error(),
              XsError::kENOSPC);
}

TEST_F(StoreOperationsTest, GenerationChangesWithTheNodesChildren) {
    ASSERT_TRUE(as(kDom0Caller).write("/a", "").ok());
    const auto before = as(kDom0Caller).directory("/a").value().generation;
    ASSERT_TRUE(as(kDom0Caller).write("/a/b", "").ok());
    EXPECT_NE(as(kDom0Caller).directory("/a").value().generation, before);
}

}  // namespace
}  // namespace tern::dom0::xenstored
