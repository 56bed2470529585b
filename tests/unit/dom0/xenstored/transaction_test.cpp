// Transactions: isolation until commit, and EAGAIN when something the transaction read or wrote
// changed meanwhile, but not for unrelated changes.
#include "xenstored/transaction.hpp"

#include <gtest/gtest.h>

#include "xenstored/store_operations.hpp"

namespace tern::dom0::xenstored {
namespace {

const Caller kDom0Caller{kDom0, true, {}};

class TransactionTest : public ::testing::Test {
  protected:
    StoreOperations on(NodeView& view) {
        return StoreOperations(view, kDom0Caller, quotas_, changes_);
    }

    NodeStore store_;
    Quotas quotas_;
    std::vector<StoreChange> changes_;
};

TEST_F(TransactionTest, ChangesAreInvisibleUntilCommit) {
    Transaction transaction(store_);
    ASSERT_TRUE(on(transaction).write("/a/b", "1").ok());
    EXPECT_EQ(on(transaction).read("/a/b").value(), "1");
    EXPECT_EQ(on(store_).read("/a/b").error(), XsError::kENOENT);
    ASSERT_TRUE(transaction.commit().ok());
    EXPECT_EQ(on(store_).read("/a/b").value(), "1");
    EXPECT_EQ(on(store_).directory("/a").value().children, std::vector<std::string>{"b"});
}

TEST_F(TransactionTest, RemovalInsideATransaction) {
    ASSERT_TRUE(on(store_).write("/a/b", "1").ok());
    Transaction transaction(store_);
    ASSERT_TRUE(on(transaction).remove("/a").ok());
    EXPECT_EQ(on(transaction).read("/a/b").error(), XsError::kENOENT);
    EXPECT_EQ(on(store_).read("/a/b").value(), "1");
    ASSERT_TRUE(transaction.commit().ok());
    EXPECT_EQ(on(store_).read("/a").error(), XsError::kENOENT);
    EXPECT_EQ(store_.size(), 1U);
}

TEST_F(TransactionTest, ConflictWhenANodeReadWasChanged) {
    ASSERT_TRUE(on(store_).write("/a", "old").ok());
    Transaction transaction(store_);
    EXPECT_EQ(on(transaction).read("/a").value(), "old");
    ASSERT_TRUE(on(transaction).write("/b", "mine").ok());
    ASSERT_TRUE(on(store_).write("/a", "new").ok());
    EXPECT_EQ(transaction.commit().error(), XsError::kEAGAIN);
    EXPECT_EQ(on(store_).read("/b").error(), XsError::kENOENT);
}

TEST_F(TransactionTest, ConflictWhenANodeWrittenWasChanged) {
    ASSERT_TRUE(on(store_).write("/a", "old").ok());
    Transaction transaction(store_);
    ASSERT_TRUE(on(transaction).write("/a", "mine").ok());
    ASSERT_TRUE(on(store_).write("/a", "theirs").ok());
    EXPECT_EQ(transaction.commit().error(), XsError::kEAGAIN);
    EXPECT_EQ(on(store_).read("/a").value(), "theirs");
}

TEST_F(TransactionTest, ConflictWhenANodeSeenMissingWasCreated) {
    Transaction transaction(store_);
    EXPECT_EQ(on(transaction).read("/a").error(), XsError::kENOENT);
    ASSERT_TRUE(on(store_).write("/a", "x").ok());
    EXPECT_EQ(transaction.commit().error(), XsError::kEAGAIN);
}

TEST_F(TransactionTest, UnrelatedChangesDoNotConflict) {
    ASSERT_TRUE(on(store_).write("/x/a", "1").ok());
    ASSERT_TRUE(on(store_).write("/y/b", "2").ok());
    Transaction transaction(store_);
    EXPECT_EQ(on(transaction).read("/x/a").value(), "1");
    ASSERT_TRUE(on(transaction).write("/x/a", "3").ok());
    ASSERT_TRUE(on(store_).write("/y/b", "4").ok());
    ASSERT_TRUE(transaction.commit().ok());
    EXPECT_EQ(on(store_).read("/x/a").value(), "3");
    EXPECT_EQ(on(store_).read("/y/b").value(), "4");
}

TEST_F(TransactionTest, TwoTransactionsCreatingSiblingsConflictOnTheParent) {
    ASSERT_TRUE(on(store_).mkdir("/dir").ok());
    Transaction first(store_);
    Transaction second(store_);
    ASSERT_TRUE(on(first).write("/dir/one", "1").ok());
    ASSERT_TRUE(on(second).write("/dir/two", "2").ok());
    ASSERT_TRUE(first.commit().ok());
    EXPECT_EQ(second.commit().error(), XsError::kEAGAIN);
    EXPECT_EQ(on(store_).directory("/dir").value().children, std::vector<std::string>{"one"});
}

TEST_F(TransactionTest, NodeCountsFollowTheTransaction) {
    const Caller domain5{DomainId{5}, false, {}};
    ASSERT_TRUE(on(store_).mkdir("/home").ok());
    ASSERT_TRUE(on(store_).set_permissions("/home", *PermissionList::parse({"n5"})).ok());
    Transaction transaction(store_);
    StoreOperations ops(transaction, domain5, quotas_, changes_);
    ASSERT_TRUE(ops.write("/home/a", "").ok());
    EXPECT_EQ(transaction.owned_nodes(DomainId{5}), 2U);
    EXPECT_EQ(store_.owned_nodes(DomainId{5}), 1U);
    ASSERT_TRUE(transaction.commit().ok());
    EXPECT_EQ(store_.owned_nodes(DomainId{5}), 2U);
}

}  // namespace
}  // namespace tern::dom0::xenstored
