// Tests that corrupt qcow2 images give ImageError, never a crash or an out-of-bounds access:
// seeded random damage to the metadata of a valid image, then open, read everything, check.
#include <gtest/gtest.h>

#include <random>

#include "diskimage/image_error.hpp"
#include "diskimage/image_file.hpp"
#include "diskimage/image_open.hpp"
#include "diskimage/qcow2_image.hpp"
#include "image_bytes_for_test.hpp"
#include "temp_dir_for_test.hpp"

namespace tern::dom0::diskimage {
namespace {

TEST(CorruptImage, RandomMetadataDamageIsAnErrorOrHarmless) {
    TempDirForTest dir;
    const auto pristine = dir.file("pristine.qcow2");
    {
        Qcow2CreateOptions options;
        options.virtual_size = 4 << 20;
        options.cluster_size = 4096;
        Qcow2Image::create(pristine, options);
        OpenOptions open;
        open.writable = true;
        auto image = Qcow2Image::open(pristine, open);
        image->write(5000, pattern_for_test(5000, 300000, 3));
    }
    std::vector<std::byte> original(std::filesystem::file_size(pristine));
    ImageFile(pristine, OpenMode::kReadOnly).read_at(0, original);
    // Metadata: header (cluster 0), refcount table (1), block (2), L1 (3), first L2 (4).
    const std::size_t metadata = 5 * 4096;
    std::mt19937_64 random(2024);
    int errors = 0;
    for (int round = 0; round < 300; ++round) {
        std::vector<std::byte> damaged = original;
        const int flips = 1 + static_cast<int>(random() % 8);
        for (int i = 0; i < flips; ++i) {
            const std::size_t at = round % 3 == 0 ? random() % 128 : random() % metadata;
            damaged[at] = static_cast<std::byte>(random());
        }
        const auto path = dir.file("damaged.qcow2");
        ImageFile::create(path).write_at(0, damaged);
        try {
            OpenOptions open;
            open.writable = round % 2 == 0;
            open.open_backing = false;
            auto image = Qcow2Image::open(path, open);
            std::vector<std::byte> buffer(64 * 1024);
            const std::uint64_t size = std::min<std::uint64_t>(image->virtual_size(), 8 << 20);
            for (std::uint64_t offset = 0; offset + buffer.size() <= size;
                 offset += buffer.size()) {
                image->read(offset, buffer);
            }
            (void)image->check(RepairMode::kNone);
        } catch (const ImageError&) {
            ++errors;
        }
    }
    EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace tern::dom0::diskimage

namespace tern::dom0::diskimage {
namespace {

// Found by the fuzz target: with refcount table entry 0 empty, allocating must not put a new
// refcount block over the header (and must not dereference the missing block).
TEST(CorruptImage, EmptyFirstRefcountTableEntryRefusesAllocation) {
    TempDirForTest dir;
    const auto path = dir.file("r.qcow2");
    Qcow2CreateOptions options;
    options.virtual_size = 1 << 20;
    Qcow2Image::create(path, options);
    const std::vector<std::byte> zeros(8);
    ImageFile(path, OpenMode::kReadWrite).write_at(65536, zeros);
    OpenOptions open;
    open.writable = true;
    auto image = Qcow2Image::open(path, open);
    std::vector<std::byte> data(100, std::byte{1});
    EXPECT_THROW(image->write(0, data), ImageError);
    image.reset();
    EXPECT_EQ(probe_format(path), ImageFormat::kQcow2);  // the header is still there
}

}  // namespace
}  // namespace tern::dom0::diskimage
