// The parsing helpers of the raw VDI transfer endpoints.
#include <gtest/gtest.h>

#include "storage/vdi_transfers.hpp"
#include "transport/disk_transfer.hpp"

namespace tern::xapi {
namespace {

TEST(VdiTransfers, QueryParametersAreDecoded) {
    const std::string target = "/import_raw_vdi?session_id=OpaqueRef%3Aabc&vdi=OpaqueRef:x+y&empty";
    EXPECT_EQ(query_parameter(target, "session_id"), "OpaqueRef:abc");
    EXPECT_EQ(query_parameter(target, "vdi"), "OpaqueRef:x y");
    EXPECT_EQ(query_parameter(target, "empty"), "");
    EXPECT_EQ(query_parameter(target, "task_id"), std::nullopt);
    EXPECT_EQ(query_parameter("/export_raw_vdi", "vdi"), std::nullopt);
}

TEST(VdiTransfers, BasicCredentials) {
    // "root:pa:ss" in base64.
    auto c = basic_credentials("Basic cm9vdDpwYTpzcw==");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->first, "root");
    EXPECT_EQ(c->second, "pa:ss");
    EXPECT_FALSE(basic_credentials("Bearer abc"));
    EXPECT_FALSE(basic_credentials("Basic !!!"));
}

TEST(VdiTransfers, TargetsThatAreTransfers) {
    EXPECT_EQ(DiskTransfers::kind_of("/import_raw_vdi?vdi=x"), TransferRequest::Kind::import_raw);
    EXPECT_EQ(DiskTransfers::kind_of("/export_raw_vdi"), TransferRequest::Kind::export_raw);
    EXPECT_EQ(DiskTransfers::kind_of("/"), std::nullopt);
    EXPECT_EQ(DiskTransfers::kind_of("/import_raw_vdi_x"), std::nullopt);
}

}  // namespace
}  // namespace tern::xapi
