// Tests RawImage: the same interface over a sparse file.
#include "diskimage/raw_image.hpp"

#include <gtest/gtest.h>

#include "diskimage/image_error.hpp"
#include "diskimage/image_open.hpp"
#include "image_bytes_for_test.hpp"
#include "temp_dir_for_test.hpp"

namespace tern::dom0::diskimage {
namespace {

TEST(RawImage, CreatesASparseFileOfTheSize) {
    TempDirForTest dir;
    const auto path = dir.file("a.raw");
    CreateOptions options;
    options.format = ImageFormat::kRaw;
    options.virtual_size = 1ull << 30;
    create_image(path, options);
    EXPECT_EQ(probe_format(path), ImageFormat::kRaw);
    auto image = open_image(path, OpenOptions{});
    EXPECT_EQ(image->virtual_size(), 1ull << 30);
    EXPECT_LT(image->info().allocated_bytes, 1u << 20);
    EXPECT_TRUE(image->known_zero(0, 1ull << 30));
}

TEST(RawImage, WritesReadsDiscardsAndGrows) {
    TempDirForTest dir;
    const auto path = dir.file("a.raw");
    RawImage::create(path, 1 << 20);
    OpenOptions options;
    options.writable = true;
    auto image = open_image(path, options, ImageFormat::kRaw);
    image->write(777, pattern_for_test(777, 300000, 1));
    image->discard(1000, 5000);
    auto expected = pattern_for_test(777, 300000, 1);
    std::fill(expected.begin() + (1000 - 777), expected.begin() + (6000 - 777), std::byte{0});
    EXPECT_EQ(read_all_for_test(*image, 777, 300000), expected);
    EXPECT_FALSE(image->known_zero(0, 8192));
    std::vector<std::byte> byte(1);
    EXPECT_THROW(image->write(1 << 20, byte), ImageError);
    image->resize(2 << 20);
    EXPECT_NO_THROW(image->write(1 << 20, byte));
    EXPECT_THROW(image->resize(1 << 20), ImageError);
}

}  // namespace
}  // namespace tern::dom0::diskimage

namespace tern::dom0::diskimage {
namespace {

TEST(ImageLocking, OneWriterOrManyReaders) {
    TempDirForTest dir;
    const auto path = dir.file("l.raw");
    RawImage::create(path, 1 << 20);
    OpenOptions reader;
    OpenOptions writer;
    writer.writable = true;
    {
        auto first = open_image(path, reader);
        auto second = open_image(path, reader);
        EXPECT_THROW(open_image(path, writer), ImageError);
    }
    auto only = open_image(path, writer);
    EXPECT_THROW(open_image(path, reader), ImageError);
    EXPECT_THROW(open_image(path, writer), ImageError);
    OpenOptions force_share;
    force_share.lock = false;
    EXPECT_NO_THROW(open_image(path, force_share));
}

}  // namespace
}  // namespace tern::dom0::diskimage
