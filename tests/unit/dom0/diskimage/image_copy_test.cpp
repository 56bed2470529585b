// Tests copy_contents (progress, cancel, sparseness) and create_overlay (recorded path).
#include "diskimage/image_copy.hpp"

#include <gtest/gtest.h>

#include "diskimage/image_error.hpp"
#include "image_bytes_for_test.hpp"
#include "temp_dir_for_test.hpp"

namespace tern::dom0::diskimage {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;

std::unique_ptr<DiskImage> make(const std::filesystem::path& path, ImageFormat format,
                                std::uint64_t size) {
    CreateOptions options;
    options.format = format;
    options.virtual_size = size;
    create_image(path, options);
    OpenOptions open;
    open.writable = true;
    return open_image(path, open);
}

TEST(CopyContents, CopiesDataKeepsHolesAndReportsProgress) {
    TempDirForTest dir;
    auto from = make(dir.file("from.qcow2"), ImageFormat::kQcow2, 8 * kMiB);
    from->write(3 * kMiB + 5, pattern_for_test(3 * kMiB + 5, 100000, 1));
    auto to = make(dir.file("to.raw"), ImageFormat::kRaw, 8 * kMiB);
    std::vector<std::uint64_t> reports;
    EXPECT_TRUE(copy_contents(*from, *to, [&](std::uint64_t done, std::uint64_t total) {
        EXPECT_EQ(total, 8 * kMiB);
        reports.push_back(done);
        return true;
    }));
    EXPECT_EQ(reports.size(), 8u);
    EXPECT_EQ(reports.back(), 8 * kMiB);
    EXPECT_EQ(read_all_for_test(*to, 0, 8 * kMiB), read_all_for_test(*from, 0, 8 * kMiB));
    // Only the written megabyte holds data.
    EXPECT_LE(to->info().allocated_bytes, 2 * kMiB);
}

TEST(CopyContents, CancelStopsAndSmallDestinationsAreRefused) {
    TempDirForTest dir;
    auto from = make(dir.file("from.raw"), ImageFormat::kRaw, 4 * kMiB);
    from->write(0, pattern_for_test(0, 4 * kMiB, 2));
    auto to = make(dir.file("to.qcow2"), ImageFormat::kQcow2, 4 * kMiB);
    int calls = 0;
    EXPECT_FALSE(
        copy_contents(*from, *to, [&](std::uint64_t, std::uint64_t) { return ++calls < 2; }));
    EXPECT_EQ(calls, 2);
    EXPECT_EQ(read_all_for_test(*to, 3 * kMiB, 10), std::vector<std::byte>(10));
    auto small = make(dir.file("small.qcow2"), ImageFormat::kQcow2, kMiB);
    EXPECT_THROW(copy_contents(*from, *small), ImageError);
}

TEST(CreateOverlay, RecordsTheBaseRelativeToTheOverlayAndReadsThrough) {
    TempDirForTest dir;
    std::filesystem::create_directories(dir.file("a"));
    std::filesystem::create_directories(dir.file("b"));
    {
        auto base = make(dir.file("a/base.qcow2"), ImageFormat::kQcow2, 2 * kMiB);
        base->write(0, pattern_for_test(0, 2 * kMiB, 3));
    }
    const auto cwd = std::filesystem::current_path();
    std::filesystem::current_path(dir.file(""));
    create_overlay("a/base.qcow2", "b/top.qcow2");
    std::filesystem::current_path(cwd);
    OpenOptions open;
    auto top = open_image(dir.file("b/top.qcow2"), open);
    EXPECT_EQ(top->info().backing_file, "../a/base.qcow2");
    EXPECT_EQ(top->virtual_size(), 2 * kMiB);
    EXPECT_EQ(read_all_for_test(*top, 0, 2 * kMiB), pattern_for_test(0, 2 * kMiB, 3));
}

}  // namespace
}  // namespace tern::dom0::diskimage
