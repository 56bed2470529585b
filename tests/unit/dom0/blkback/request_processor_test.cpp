// What the block backend does with each request, over fake grants and real raw and qcow2
// images: reads fill exactly the granted sectors, writes land in the image (their pages mapped
// read-only), one batched map per request and none left afterwards, and every malformed
// request (segment counts, sector ranges inside a page, ranges past the disk, writes to a
// read-only disk, unknown grants and operations) is answered with an error before any page
// is touched, never a crash.
#include "dom0/blkback/request_processor.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "../diskimage/temp_dir_for_test.hpp"
#include "diskimage/image_open.hpp"
#include "fake_grants_for_test.hpp"

namespace tern::dom0::blkback {
namespace {

constexpr std::uint32_t kDomain = 3;
constexpr std::uint64_t kDiskBytes = 1 << 20;  // 2048 sectors
constexpr std::uint64_t kSectors = kDiskBytes / kSectorSize;

std::uint8_t pattern_byte(std::uint64_t offset) {
    return static_cast<std::uint8_t>((offset * 7 + offset / kSectorSize) & 0xff);
}

class RequestProcessorTest : public ::testing::TestWithParam<diskimage::ImageFormat> {
  protected:
    void SetUp() override { open(false); }

    void open(bool read_only) {
        processor_.reset();
        image_.reset();
        const auto path = dir_.file("disk");
        if (!std::filesystem::exists(path)) {
            diskimage::CreateOptions create;
            create.format = GetParam();
            create.virtual_size = kDiskBytes;
            diskimage::create_image(path, create);
            diskimage::OpenOptions writable;
            writable.writable = true;
            auto image = diskimage::open_image(path, writable, GetParam());
            std::vector<std::byte> data(kDiskBytes);
            for (std::uint64_t i = 0; i < kDiskBytes; ++i)
                data[i] = static_cast<std::byte>(pattern_byte(i));
            image->write(0, data);
            image->flush();
        }
        diskimage::OpenOptions options;
        options.writable = !read_only;
        image_ = diskimage::open_image(path, options, GetParam());
        processor_ = std::make_unique<RequestProcessor>(
            kDomain, *image_, read_only, grants_,
            [this](const std::string& line) { log_.push_back(line); });
    }

    BlkifRequest request(BlkifOp op, std::uint64_t sector) {
        BlkifRequest r{};
        r.operation = static_cast<std::uint8_t>(op);
        r.id = 0x1234567890ull;
        r.sector_number = sector;
        return r;
    }
    void add_segment(BlkifRequest& r, std::uint32_t ref, std::uint8_t first, std::uint8_t last) {
        r.seg[r.nr_segments++] = BlkifSegment{ref, first, last, {0, 0}};
    }
    std::vector<std::uint8_t> disk(std::uint64_t offset, std::size_t bytes) {
        std::vector<std::uint8_t> out(bytes);
        image_->read(offset, std::as_writable_bytes(std::span(out)));
        return out;
    }
    BlkifStatus status_of(const BlkifRequest& r) {
        const BlkifResponse response = processor_->process(r);
        EXPECT_EQ(response.id, r.id);
        EXPECT_EQ(response.operation, r.operation);
        EXPECT_EQ(grants_.live_batches(), 0) << "a batch was left mapped";
        return static_cast<BlkifStatus>(response.status);
    }

    diskimage::TempDirForTest dir_;
    FakeGrantsForTest grants_{kDomain};
    std::unique_ptr<diskimage::DiskImage> image_;
    std::unique_ptr<RequestProcessor> processor_;
    std::vector<std::string> log_;
};

TEST_P(RequestProcessorTest, ReportsTheDiskSizeInSectors) {
    EXPECT_EQ(processor_->sectors(), kSectors);
}

TEST_P(RequestProcessorTest, AReadFillsExactlyTheGrantedSectorsInOneBatch) {
    const std::uint32_t a = grants_.grant(false, 0xee);
    const std::uint32_t b = grants_.grant(false, 0xee);
    BlkifRequest r = request(BlkifOp::kRead, 100);
    add_segment(r, a, 2, 7);  // 6 sectors into the end of page a
    add_segment(r, b, 0, 3);  // then 4 into the start of page b
    EXPECT_EQ(status_of(r), BlkifStatus::kOkay);
    EXPECT_EQ(grants_.map_calls(), 1);
    EXPECT_EQ(grants_.last_batch(), 2u);
    EXPECT_TRUE(grants_.last_writable());
    const auto& pa = grants_.page(a);
    const auto& pb = grants_.page(b);
    for (std::size_t i = 0; i < 2 * kSectorSize; ++i)
        ASSERT_EQ(pa[i], 0xee) << "byte " << i << " before the segment was written";
    for (std::size_t i = 0; i < 6 * kSectorSize; ++i)
        ASSERT_EQ(pa[2 * kSectorSize + i], pattern_byte(100 * kSectorSize + i));
    for (std::size_t i = 0; i < 4 * kSectorSize; ++i)
        ASSERT_EQ(pb[i], pattern_byte(106 * kSectorSize + i));
    for (std::size_t i = 4 * kSectorSize; i < kPageSize; ++i)
        ASSERT_EQ(pb[i], 0xee) << "byte " << i << " after the segment was written";
}

TEST_P(RequestProcessorTest, AWriteLandsInTheImageFromReadOnlyMappings) {
    const std::uint32_t a = grants_.grant(true, 0x5a);  // blkfront may grant read-only
    BlkifRequest r = request(BlkifOp::kWrite, kSectors - 8);
    add_segment(r, a, 0, 7);  // the disk's last page
    EXPECT_EQ(status_of(r), BlkifStatus::kOkay);
    EXPECT_FALSE(grants_.last_writable());
    EXPECT_EQ(disk(kDiskBytes - kPageSize, kPageSize), std::vector<std::uint8_t>(kPageSize, 0x5a));
    EXPECT_EQ(disk(kDiskBytes - kPageSize - 1, 1)[0], pattern_byte(kDiskBytes - kPageSize - 1));
}

TEST_P(RequestProcessorTest, ElevenSegmentsAreTheMostAndAllGoInOneBatch) {
    BlkifRequest r = request(BlkifOp::kWrite, 0);
    for (int i = 0; i < 11; ++i)
        add_segment(r, grants_.grant(false, static_cast<std::uint8_t>(i + 1)), 0, 7);
    EXPECT_EQ(status_of(r), BlkifStatus::kOkay);
    EXPECT_EQ(grants_.last_batch(), 11u);
    for (int i = 0; i < 11; ++i)
        EXPECT_EQ(disk(static_cast<std::uint64_t>(i) * kPageSize, 1)[0], i + 1);
}

TEST_P(RequestProcessorTest, BadSegmentCountsAreRefusedWithoutMapping) {
    BlkifRequest none = request(BlkifOp::kRead, 0);
    EXPECT_EQ(status_of(none), BlkifStatus::kError);
    BlkifRequest twelve = request(BlkifOp::kRead, 0);
    for (int i = 0; i < 11; ++i)
        add_segment(twelve, grants_.grant(), 0, 7);
    twelve.nr_segments = 12;
    EXPECT_EQ(status_of(twelve), BlkifStatus::kError);
    twelve.nr_segments = 255;
    EXPECT_EQ(status_of(twelve), BlkifStatus::kError);
    EXPECT_EQ(grants_.map_calls(), 0);
    EXPECT_FALSE(log_.empty());
}

TEST_P(RequestProcessorTest, SegmentsOutsideTheirPageAreRefused) {
    const std::uint32_t a = grants_.grant();
    BlkifRequest backwards = request(BlkifOp::kRead, 0);
    add_segment(backwards, a, 5, 4);
    EXPECT_EQ(status_of(backwards), BlkifStatus::kError);
    BlkifRequest past_page = request(BlkifOp::kRead, 0);
    add_segment(past_page, a, 0, 8);
    EXPECT_EQ(status_of(past_page), BlkifStatus::kError);
    BlkifRequest far = request(BlkifOp::kWrite, 0);
    add_segment(far, a, 200, 255);
    EXPECT_EQ(status_of(far), BlkifStatus::kError);
    EXPECT_EQ(grants_.map_calls(), 0);
}

TEST_P(RequestProcessorTest, RangesPastTheEndOfTheDiskAreRefused) {
    const std::uint32_t a = grants_.grant();
    const std::uint64_t max = ~std::uint64_t{0};
    for (const std::uint64_t sector :
         {kSectors - 7, kSectors, kSectors + 1, max, max - 6, std::uint64_t{1} << 55}) {
        BlkifRequest r = request(BlkifOp::kWrite, sector);
        add_segment(r, a, 0, 7);
        EXPECT_EQ(status_of(r), BlkifStatus::kError) << "sector " << sector;
    }
    EXPECT_EQ(grants_.map_calls(), 0);
    BlkifRequest last = request(BlkifOp::kRead, kSectors - 1);
    add_segment(last, a, 7, 7);
    EXPECT_EQ(status_of(last), BlkifStatus::kOkay);
}

TEST_P(RequestProcessorTest, AReadOnlyDiskRefusesWritesAndFlushesButServesReads) {
    open(true);
    const std::uint32_t a = grants_.grant(false, 0x11);
    BlkifRequest write = request(BlkifOp::kWrite, 0);
    add_segment(write, a, 0, 7);
    EXPECT_EQ(status_of(write), BlkifStatus::kError);
    EXPECT_EQ(status_of(request(BlkifOp::kFlushDiskCache, 0)), BlkifStatus::kError);
    EXPECT_EQ(disk(0, 1)[0], pattern_byte(0));
    BlkifRequest read = request(BlkifOp::kRead, 0);
    add_segment(read, a, 0, 0);
    EXPECT_EQ(status_of(read), BlkifStatus::kOkay);
    EXPECT_EQ(grants_.page(a)[1], pattern_byte(1));
}

TEST_P(RequestProcessorTest, GrantsThatCannotBeMappedFailTheRequestOnly) {
    BlkifRequest unknown = request(BlkifOp::kRead, 0);
    add_segment(unknown, grants_.grant(), 0, 7);
    add_segment(unknown, 4000, 0, 7);
    EXPECT_EQ(status_of(unknown), BlkifStatus::kError);
    // A read must write into the guest's page: a read-only grant cannot take it.
    BlkifRequest into_read_only = request(BlkifOp::kRead, 0);
    add_segment(into_read_only, grants_.grant(true), 0, 7);
    EXPECT_EQ(status_of(into_read_only), BlkifStatus::kError);
    BlkifRequest fine = request(BlkifOp::kRead, 8);
    add_segment(fine, grants_.grant(), 0, 7);
    EXPECT_EQ(status_of(fine), BlkifStatus::kOkay);
}

TEST_P(RequestProcessorTest, FlushesBarriersAndUnsupportedOperations) {
    EXPECT_EQ(status_of(request(BlkifOp::kFlushDiskCache, 0)), BlkifStatus::kOkay);
    // A flush or barrier that carries data writes it, then makes it durable.
    BlkifRequest barrier = request(BlkifOp::kWriteBarrier, 16);
    add_segment(barrier, grants_.grant(true, 0x77), 0, 7);
    EXPECT_EQ(status_of(barrier), BlkifStatus::kOkay);
    EXPECT_EQ(disk(16 * kSectorSize, 1)[0], 0x77);
    EXPECT_EQ(status_of(request(BlkifOp::kDiscard, 0)), BlkifStatus::kNotSupported);
    EXPECT_EQ(status_of(request(BlkifOp::kIndirect, 0)), BlkifStatus::kNotSupported);
    BlkifRequest unknown = request(BlkifOp::kRead, 0);
    unknown.operation = 99;
    EXPECT_EQ(status_of(unknown), BlkifStatus::kError);
    const RequestCounts& counts = processor_->counts();
    EXPECT_EQ(counts.flushes, 2u);
    EXPECT_EQ(counts.errors, 3u);
    EXPECT_EQ(counts.reads + counts.writes, 0u);
}

TEST_P(RequestProcessorTest, RandomRequestsNeverCrashNorLeaveMappings) {
    std::mt19937_64 random(5);
    std::vector<std::uint32_t> refs;
    for (int i = 0; i < 16; ++i)
        refs.push_back(grants_.grant(i % 3 == 0));
    for (int n = 0; n < 3000; ++n) {
        BlkifRequest r{};
        auto* bytes = reinterpret_cast<std::uint8_t*>(&r);
        for (std::size_t i = 0; i < sizeof r; ++i)
            bytes[i] = static_cast<std::uint8_t>(random());
        r.operation = static_cast<std::uint8_t>(random() % 8);
        if (random() % 2)
            r.nr_segments = static_cast<std::uint8_t>(random() % 13);
        if (random() % 2)
            r.sector_number = random() % (kSectors + 16);
        for (auto& seg : r.seg) {
            if (random() % 4 != 0)
                seg.gref = refs[random() % refs.size()];
            if (random() % 2) {
                seg.first_sect = static_cast<std::uint8_t>(random() % 8);
                seg.last_sect = static_cast<std::uint8_t>(seg.first_sect + random() % 3);
            }
        }
        const BlkifResponse response = processor_->process(r);
        ASSERT_EQ(response.id, r.id);
        ASSERT_TRUE(response.status == 0 || response.status == -1 || response.status == -2);
        ASSERT_EQ(grants_.live_batches(), 0);
    }
    EXPECT_LE(log_.size(), 20u) << "refusals are logged a bounded number of times";
}

INSTANTIATE_TEST_SUITE_P(Formats, RequestProcessorTest,
                         ::testing::Values(diskimage::ImageFormat::kRaw,
                                           diskimage::ImageFormat::kQcow2),
                         [](const auto& info) {
                             return std::string(diskimage::format_name(info.param));
                         });

}  // namespace
}  // namespace tern::dom0::blkback
