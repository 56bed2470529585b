// The file SR driver on a temp directory: images, sidecars, scan, copy-on-write, copies.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstring>
#include <fstream>
#include <random>

#include "api/ref.hpp"
#include "diskimage/image_open.hpp"
#include "storage/file_sr.hpp"

namespace tern::xapi {
namespace {
namespace fs = std::filesystem;
namespace di = dom0::diskimage;

class FileSrTest : public ::testing::Test {
  protected:
    fs::path dir = fs::temp_directory_path() /
                   ("file-sr-test-" + std::to_string(::getpid()) + "-" + make_uuid());
    std::string sr_uuid = make_uuid();
    ~FileSrTest() override {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
    static VdiMeta meta(const std::string& label) {
        VdiMeta m;
        m.uuid = make_uuid();
        m.name_label = label;
        return m;
    }
    static void write_pattern(const fs::path& image, std::uint64_t offset, std::size_t n,
                              std::uint8_t seed) {
        di::OpenOptions o;
        o.writable = true;
        auto img = di::open_image(image, o);
        std::vector<std::byte> data(n);
        for (std::size_t i = 0; i < n; ++i)
            data[i] = std::byte(static_cast<std::uint8_t>(seed + i * 7));
        img->write(offset, data);
        img->flush();
    }
    static std::vector<std::byte> read_all(const fs::path& image, std::uint64_t offset,
                                           std::size_t n) {
        di::OpenOptions o;
        o.lock = false;
        auto img = di::open_image(image, o);
        std::vector<std::byte> out(n);
        img->read(offset, out);
        return out;
    }
};

TEST_F(FileSrTest, AttachWritesTheSrUuidAndRefusesAnotherSr) {
    FileSr::attach(dir, sr_uuid);
    EXPECT_EQ(FileSr::uuid_at(dir), sr_uuid);
    EXPECT_NO_THROW(FileSr::attach(dir, sr_uuid));
    try {
        FileSr::attach(dir, make_uuid());
        FAIL() << "a directory of another SR was attached";
    } catch (const SrError& e) {
        EXPECT_EQ(e.code(), "SR_BACKEND_FAILURE");
    }
}

TEST_F(FileSrTest, CreateMakesAQcow2ImageNamedByUuidWithItsSidecar) {
    FileSr sr = FileSr::attach(dir, sr_uuid);
    VdiMeta m = meta("disk one");
    m.sharable = true;
    m.other_config["k"] = "v";
    const VdiFile f = sr.create(m, 10 << 20, di::ImageFormat::kQcow2);
    EXPECT_EQ(f.path, dir / (m.uuid + ".qcow2"));
    EXPECT_EQ(f.virtual_size, 10u << 20);
    EXPECT_EQ(di::probe_format(f.path), di::ImageFormat::kQcow2);
    EXPECT_TRUE(fs::exists(dir / (m.uuid + ".json")));
    EXPECT_GT(f.physical_utilisation, 0u);
    EXPECT_LT(f.physical_utilisation, 1u << 20);  // thin
}

TEST_F(FileSrTest, RawOnRequest) {
    EXPECT_EQ(requested_format({{"type", "raw"}}, {}), di::ImageFormat::kRaw);
    EXPECT_EQ(requested_format({}, {{"format", "raw"}}), di::ImageFormat::kRaw);
    EXPECT_EQ(requested_format({}, {}), di::ImageFormat::kQcow2);
    FileSr sr = FileSr::attach(dir, sr_uuid);
    const VdiFile f = sr.create(meta("raw"), 1 << 20, di::ImageFormat::kRaw);
    EXPECT_EQ(f.path.extension(), ".raw");
    EXPECT_EQ(fs::file_size(f.path), 1u << 20);
}

TEST_F(FileSrTest, ScanRecoversMetadataFromTheFilesAlone) {
    FileSr sr = FileSr::attach(dir, sr_uuid);
    VdiMeta a = meta("alpha");
    a.name_description = "the first";
    a.type = "system";
    a.read_only = true;
    a.other_config["owner"] = "me";
    sr.create(a, 4 << 20, di::ImageFormat::kQcow2);
    VdiMeta b = meta("beta");
    sr.create(b, 2 << 20, di::ImageFormat::kRaw);
    // An image dropped in without a sidecar is found too, with default metadata.
    const std::string bare = make_uuid();
    di::CreateOptions o;
    o.virtual_size = 1 << 20;
    di::create_image(dir / (bare + ".qcow2"), o);
    // Files that are not VDIs are left alone.
    std::ofstream(dir / "notes.txt") << "hello";

    FileSr again = FileSr::attach(dir, sr_uuid);
    auto found = again.scan();
    ASSERT_EQ(found.size(), 3u);
    std::map<std::string, VdiFile> by_uuid;
    for (auto& f : found)
        by_uuid[f.meta.uuid] = f;
    EXPECT_EQ(by_uuid.at(a.uuid).meta.name_label, "alpha");
    EXPECT_EQ(by_uuid.at(a.uuid).meta.name_description, "the first");
    EXPECT_EQ(by_uuid.at(a.uuid).meta.type, "system");
    EXPECT_TRUE(by_uuid.at(a.uuid).meta.read_only);
    EXPECT_EQ(by_uuid.at(a.uuid).meta.other_config.at("owner"), "me");
    EXPECT_EQ(by_uuid.at(a.uuid).virtual_size, 4u << 20);
    EXPECT_EQ(by_uuid.at(b.uuid).format, di::ImageFormat::kRaw);
    EXPECT_EQ(by_uuid.at(bare).meta.name_label, "");
    EXPECT_EQ(by_uuid.at(bare).meta.type, "user");
}

TEST_F(FileSrTest, ACorruptSidecarStillGivesTheDisk) {
    FileSr sr = FileSr::attach(dir, sr_uuid);
    VdiMeta a = meta("alpha");
    sr.create(a, 1 << 20, di::ImageFormat::kQcow2);
    std::ofstream(dir / (a.uuid + ".json"), std::ios::trunc) << "{ not json";
    auto found = sr.scan();
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].meta.uuid, a.uuid);
}

TEST_F(FileSrTest, SnapshotAndCloneShareABaseAndDivergeOnWrite) {
    FileSr sr = FileSr::attach(dir, sr_uuid);
    VdiMeta a = meta("origin");
    const VdiFile origin = sr.create(a, 8 << 20, di::ImageFormat::kQcow2);
    write_pattern(origin.path, 65536, 4096, 1);

    VdiMeta s = meta("snap");
    s.is_a_snapshot = true;
    s.snapshot_of = a.uuid;
    const VdiFile snap = sr.share_base(a.uuid, s);
    // Both read what the origin held.
    EXPECT_EQ(read_all(snap.path, 65536, 4096), read_all(origin.path, 65536, 4096));
    // A write to the origin does not reach the snapshot.
    const auto before = read_all(snap.path, 65536, 4096);
    write_pattern(origin.path, 65536, 4096, 99);
    EXPECT_EQ(read_all(snap.path, 65536, 4096), before);
    EXPECT_NE(read_all(origin.path, 65536, 4096), before);
    // The snapshot is an overlay: tiny, whatever the origin holds.
    EXPECT_LT(snap.physical_utilisation, 1u << 20);
    EXPECT_EQ(sr.scan().size(), 2u);  // the base is hidden
    EXPECT_EQ(sr.find(s.uuid)->meta.snapshot_of, a.uuid);
}

TEST_F(FileSrTest, DestroyRemovesBasesNobodyUses) {
    FileSr sr = FileSr::attach(dir, sr_uuid);
    VdiMeta a = meta("origin");
    const VdiFile origin = sr.create(a, 1 << 20, di::ImageFormat::kQcow2);
    write_pattern(origin.path, 0, 512, 3);
    VdiMeta c = meta("clone");
    sr.share_base(a.uuid, c);
    auto bases = [&] {
        int n = 0;
        for (const auto& e : fs::directory_iterator(dir))
            n += e.path().filename().string().starts_with("base-");
        return n;
    };
    EXPECT_EQ(bases(), 1);
    sr.destroy(a.uuid);
    EXPECT_EQ(bases(), 1);  // the clone still uses it
    EXPECT_EQ(read_all(sr.find(c.uuid)->path, 0, 512)[0], std::byte{3});
    sr.destroy(c.uuid);
    EXPECT_EQ(bases(), 0);
    EXPECT_TRUE(sr.scan().empty());
}

TEST_F(FileSrTest, RawVdisHaveNoCopyOnWrite) {
    FileSr sr = FileSr::attach(dir, sr_uuid);
    VdiMeta a = meta("raw");
    sr.create(a, 1 << 20, di::ImageFormat::kRaw);
    try {
        sr.share_base(a.uuid, meta("x"));
        FAIL();
    } catch (const SrError& e) {
        EXPECT_EQ(e.code(), "SR_OPERATION_NOT_SUPPORTED");
    }
}

TEST_F(FileSrTest, ResizeGrowsAndRefusesToShrink) {
    FileSr sr = FileSr::attach(dir, sr_uuid);
    VdiMeta a = meta("grow");
    sr.create(a, 1 << 20, di::ImageFormat::kQcow2);
    sr.resize(a.uuid, 3 << 20);
    EXPECT_EQ(sr.find(a.uuid)->virtual_size, 3u << 20);
    try {
        sr.resize(a.uuid, 1 << 20);
        FAIL();
    } catch (const SrError& e) {
        EXPECT_EQ(e.code(), "VALUE_NOT_SUPPORTED");
    }
}

TEST_F(FileSrTest, SrFullWhenTheFilesystemCouldNeverHoldTheDisk) {
    FileSr sr = FileSr::attach(dir, sr_uuid);
    const SrSpace space = sr.space();
    EXPECT_GT(space.size, 0u);
    EXPECT_LE(space.available, space.size);
    try {
        sr.create(meta("huge"), space.available + (1ULL << 30), di::ImageFormat::kQcow2);
        FAIL();
    } catch (const SrError& e) {
        EXPECT_EQ(e.code(), "SR_FULL");
    }
    EXPECT_TRUE(sr.scan().empty());
}

TEST_F(FileSrTest, CopyIsAFullIndependentCopyAndCanBeCancelled) {
    FileSr sr = FileSr::attach(dir, sr_uuid);
    VdiMeta a = meta("source");
    const VdiFile src = sr.create(a, 4 << 20, di::ImageFormat::kQcow2);
    write_pattern(src.path, 1 << 20, 8192, 5);
    VdiMeta c = meta("copy");
    std::uint64_t last = 0;
    auto copy = sr.copy_from(src.path, c, [&](std::uint64_t done, std::uint64_t total) {
        EXPECT_LE(done, total);
        last = done;
        return true;
    });
    ASSERT_TRUE(copy);
    EXPECT_EQ(last, 4u << 20);
    EXPECT_EQ(read_all(copy->path, 1 << 20, 8192), read_all(src.path, 1 << 20, 8192));
    sr.destroy(a.uuid);
    EXPECT_EQ(read_all(copy->path, 1 << 20, 1)[0], std::byte{5});

    VdiMeta d = meta("cancelled");
    auto cancelled =
        sr.copy_from(copy->path, d, [](std::uint64_t, std::uint64_t) { return false; });
    EXPECT_FALSE(cancelled);
    EXPECT_FALSE(sr.find(d.uuid));
}

TEST_F(FileSrTest, RemoveAllLeavesForeignFiles) {
    FileSr sr = FileSr::attach(dir, sr_uuid);
    sr.create(meta("a"), 1 << 20, di::ImageFormat::kQcow2);
    std::ofstream(dir / "keep.txt") << "mine";
    sr.remove_all();
    EXPECT_TRUE(fs::exists(dir / "keep.txt"));
    EXPECT_FALSE(fs::exists(dir / "sr.json"));
    fs::remove(dir / "keep.txt");
    sr.remove_all();
    EXPECT_FALSE(fs::exists(dir));
}

}  // namespace
}  // namespace tern::xapi
