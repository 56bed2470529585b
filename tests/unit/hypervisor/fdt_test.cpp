// Tests of the device-tree reader on QEMU's real tree, and on broken and hostile blobs.
#include "lib/fdt.hpp"

#include <gtest/gtest.h>

#include <random>

#include "dtb_for_test.hpp"

namespace tern::lib {
namespace {

TEST(Fdt, ReadsQemusTree) {
    auto blob = load_dtb_for_test();
    ASSERT_GT(blob.size(), 1000u);
    auto fdt = Fdt::open(blob.data(), blob.size());
    ASSERT_TRUE(fdt.ok());
    auto psci = fdt->find_path("/psci");
    ASSERT_TRUE(psci.has_value());
    EXPECT_EQ(fdt->string_property(*psci, "method"), std::string_view("smc"));
    EXPECT_TRUE(fdt->is_compatible(*psci, "arm,psci-0.2"));
    EXPECT_FALSE(fdt->is_compatible(*psci, "arm,psci-0"));
    auto memory = fdt->child(fdt->root(), "memory");
    ASSERT_TRUE(memory.has_value());
    EXPECT_EQ(fdt->name(*memory), "memory@40000000");
    auto bank = fdt->reg(fdt->root(), *memory, 0);
    ASSERT_TRUE(bank.has_value());
    EXPECT_EQ(bank->address, 0x40000000u);
    EXPECT_EQ(bank->size, 2048ull << 20);
    EXPECT_FALSE(fdt->reg(fdt->root(), *memory, 1).has_value());
    EXPECT_TRUE(fdt->find_path("/cpus/cpu@1").has_value());
    EXPECT_FALSE(fdt->find_path("/cpus/cpu@7").has_value());
    EXPECT_FALSE(fdt->find_path("cpus").has_value());
}

TEST(Fdt, RefusesWhatIsNotATree) {
    std::vector<std::uint8_t> junk(64, 0);
    EXPECT_EQ(Fdt::open(junk.data(), junk.size()).status(), Status::bad_format);
    EXPECT_EQ(Fdt::open(nullptr, 100).status(), Status::invalid_argument);
    auto blob = load_dtb_for_test();
    // A size field larger than the memory it claims.
    EXPECT_EQ(Fdt::open(blob.data(), 100).status(), Status::bad_format);
}

// Random corruption never makes the reader touch memory outside the blob (ASan watches)
// and never hangs: every answer is bounded by the blob.
TEST(Fdt, SurvivesCorruptedTrees) {
    const auto original = load_dtb_for_test();
    std::mt19937 rng(20261124);
    for (int round = 0; round < 300; ++round) {
        std::vector<std::uint8_t> blob(original.begin(), original.end());
        const int flips = 1 + static_cast<int>(rng() % 16);
        for (int i = 0; i < flips; ++i) {
            // Corrupt the header and the structure block more often than the padding.
            const std::size_t limit = std::min<std::size_t>(blob.size(), 8192);
            blob[rng() % limit] = static_cast<std::uint8_t>(rng());
        }
        auto fdt = Fdt::open(blob.data(), blob.size());
        if (!fdt.ok())
            continue;
        int nodes = 0;
        fdt->for_each_child(fdt->root(), [&](Fdt::Node n) {
            (void)fdt->name(n);
            (void)fdt->property(n, "reg");
            (void)fdt->is_compatible(n, "arm,pl011");
            (void)fdt->reg(fdt->root(), n, 0);
            return ++nodes < 10000;
        });
        (void)fdt->find_path("/chosen");
    }
}

}  // namespace
}  // namespace tern::lib
