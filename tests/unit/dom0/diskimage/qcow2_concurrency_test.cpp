// Tests that several threads may use one Qcow2Image at once: disjoint unaligned writes that
// allocate clusters and L2 tables concurrently, overwrites racing with reads of the same
// clusters, and flushes racing with all of it; afterwards every byte is where it belongs and
// check finds neither leaks nor corruptions.
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "diskimage/image_open.hpp"
#include "diskimage/qcow2_image.hpp"
#include "image_bytes_for_test.hpp"
#include "temp_dir_for_test.hpp"

namespace tern::dom0::diskimage {
namespace {

constexpr std::uint64_t kMiB = 1 << 20;

std::unique_ptr<Qcow2Image> create_and_open(const std::filesystem::path& path, std::uint64_t size,
                                            std::uint32_t cluster_size, std::size_t cache_bytes) {
    Qcow2CreateOptions options;
    options.virtual_size = size;
    options.cluster_size = cluster_size;
    Qcow2Image::create(path, options);
    OpenOptions open;
    open.writable = true;
    open.l2_cache_bytes = cache_bytes;
    return Qcow2Image::open(path, open);
}

class Qcow2Concurrency : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(Qcow2Concurrency, DisjointWritersThenVerify) {
    const std::uint32_t cluster_size = GetParam();
    TempDirForTest dir;
    const auto path = dir.file("c.qcow2");
    constexpr int kThreads = 8;
    const std::uint64_t size = 64 * kMiB;
    const std::uint64_t slice = size / kThreads;
    // A small cache, so that tables are evicted and reloaded while others write.
    auto image = create_and_open(path, size, cluster_size, 64 * 1024);
    std::vector<std::thread> writers;
    std::atomic<int> failures{0};
    for (int t = 0; t < kThreads; ++t) {
        writers.emplace_back([&, t] {
            try {
                std::mt19937_64 random(t);
                // Interleaved stripes: neighbouring threads share L2 tables and clusters'
                // stripe locks; odd offsets and lengths cross cluster boundaries.
                for (std::uint64_t chunk = 0; chunk < slice; chunk += 7777) {
                    const std::uint64_t offset = chunk * kThreads + t * 7777;
                    const std::uint64_t length = std::min<std::uint64_t>(7777, size - offset);
                    if (offset >= size) {
                        break;
                    }
                    image->write(offset, pattern_for_test(offset, length, 77));
                    if (random() % 64 == 0) {
                        image->flush();
                    }
                }
            } catch (const std::exception& e) {
                ADD_FAILURE() << e.what();
                ++failures;
            }
        });
    }
    for (auto& w : writers) {
        w.join();
    }
    ASSERT_EQ(failures.load(), 0);
    image->flush();
    const CheckResult result = image->check(RepairMode::kNone);
    EXPECT_EQ(result.leaks, 0u);
    EXPECT_EQ(result.corruptions, 0u) << (result.messages.empty() ? "" : result.messages[0]);
    image.reset();

    OpenOptions open;
    auto reopened = open_image(path, open);
    const std::uint64_t covered = (slice / 7777 + 1) * 7777 * kThreads;
    const std::uint64_t end = std::min(size, covered);
    EXPECT_EQ(read_all_for_test(*reopened, 0, end), pattern_for_test(0, end, 77));
}

INSTANTIATE_TEST_SUITE_P(ClusterSizes, Qcow2Concurrency, ::testing::Values(512u, 4096u, 65536u));

TEST(Qcow2Concurrency, ReadersSeeWholeWritesOfAllocatedClusters) {
    TempDirForTest dir;
    auto image = create_and_open(dir.file("r.qcow2"), 16 * kMiB, 65536, 1 << 20);
    // Each 4 KiB block always holds one repeated byte; readers must never see a torn block
    // from a missing allocation (zeros mixed with data mean a lost or racing L2 update).
    // A read that overlaps a write of the same block may legitimately see both (as on any
    // disk), so each block counts the writes in flight and those done, and a reader only
    // judges a sample that no write of its block overlapped.
    constexpr std::size_t kBlocks = 4096;
    std::vector<std::atomic<std::uint32_t>> writing(kBlocks);
    std::vector<std::atomic<std::uint32_t>> written(kBlocks);
    std::atomic<bool> stop{false};
    std::atomic<int> torn{0};
    std::atomic<int> judged{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937_64 random(100 + t);
            std::vector<std::byte> block(4096);
            for (int n = 0; n < 3000; ++n) {
                const std::uint64_t index = random() % kBlocks;
                std::fill(block.begin(), block.end(), static_cast<std::byte>(1 + random() % 255));
                writing[index].fetch_add(1);
                image->write(index * 4096, block);
                written[index].fetch_add(1);
                writing[index].fetch_sub(1);
            }
        });
    }
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937_64 random(200 + t);
            std::vector<std::byte> block(4096);
            while (!stop.load()) {
                const std::uint64_t index = random() % kBlocks;
                const std::uint32_t before = written[index].load();
                if (writing[index].load() != 0)
                    continue;
                image->read(index * 4096, block);
                if (writing[index].load() != 0 || written[index].load() != before)
                    continue;  // a write of this block overlapped the read
                ++judged;
                if (std::any_of(block.begin(), block.end(),
                                [&](std::byte b) { return b != block[0]; })) {
                    ++torn;
                }
            }
        });
    }
    for (int t = 0; t < 4; ++t) {
        threads[t].join();
    }
    stop = true;
    for (std::size_t t = 4; t < threads.size(); ++t) {
        threads[t].join();
    }
    EXPECT_EQ(torn.load(), 0);
    EXPECT_GT(judged.load(), 0);
    image->flush();
    const CheckResult result = image->check(RepairMode::kNone);
    EXPECT_EQ(result.leaks + result.corruptions, 0u);
}

TEST(Qcow2Concurrency, DiscardsRacingWithWritesLeaveAConsistentImage) {
    TempDirForTest dir;
    auto image = create_and_open(dir.file("d.qcow2"), 8 * kMiB, 4096, 1 << 20);
    std::vector<std::thread> threads;
    for (int t = 0; t < 6; ++t) {
        threads.emplace_back([&, t] {
            std::mt19937_64 random(300 + t);
            std::vector<std::byte> data(20000, static_cast<std::byte>(t + 1));
            for (int n = 0; n < 1500; ++n) {
                const std::uint64_t length = 1 + random() % data.size();
                const std::uint64_t offset = random() % (8 * kMiB - length);
                if (random() % 4 == 0) {
                    image->discard(offset, length);
                } else {
                    image->write(offset, std::span(data).first(length));
                }
                if (random() % 100 == 0) {
                    image->flush();
                }
            }
        });
    }
    for (auto& t : threads) {
        t.join();
    }
    const CheckResult result = image->check(RepairMode::kNone);
    EXPECT_EQ(result.leaks, 0u);
    EXPECT_EQ(result.corruptions, 0u) << (result.messages.empty() ? "" : result.messages[0]);
}

}  // namespace
}  // namespace tern::dom0::diskimage
