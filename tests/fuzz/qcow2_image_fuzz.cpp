// Fuzz target: the qcow2 header and metadata parsers (header, extensions, L1, L2, refcount
// table and blocks, snapshot table, compressed descriptors) on damaged images. A corrupt image
// must give ImageError, never a crash, a hang or an out-of-bounds access.
//
// Input: when it starts with the qcow2 magic it is the whole image; otherwise it is a list of
// 3-byte edits (big-endian 16-bit offset into the metadata of a valid image, new byte value)
// applied to that image, which lets the fuzzer damage deep structures of an image that parses.
// The first input byte also chooses read-only use or a writable open with writes and discards.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "diskimage/image_error.hpp"
#include "diskimage/image_file.hpp"
#include "diskimage/image_open.hpp"
#include "diskimage/qcow2_image.hpp"

namespace di = tern::dom0::diskimage;

namespace {

constexpr std::uint32_t kClusterSize = 4096;
constexpr std::size_t kMetadataBytes = 6 * kClusterSize;  // header .. first L2 tables

// A valid image with data in several L2 tables, as bytes.
const std::vector<std::byte>& pristine_image() {
    static const std::vector<std::byte> bytes = [] {
        const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                           ("qcow2-fuzz-" + std::to_string(::getpid()) + ".qcow2");
        di::Qcow2CreateOptions options;
        options.virtual_size = 8 << 20;
        options.cluster_size = kClusterSize;
        di::Qcow2Image::create(path, options);
        {
            di::OpenOptions open;
            open.writable = true;
            auto image = di::Qcow2Image::open(path, open);
            std::vector<std::byte> data(10000, std::byte{0x5a});
            for (std::uint64_t offset : {0ull, 3ull << 20, 7ull << 20}) {
                image->write(offset, data);
            }
            image->discard(2048, 4096);
        }
        std::vector<std::byte> out(std::filesystem::file_size(path));
        di::ImageFile(path, di::OpenMode::kReadOnly).read_at(0, out);
        std::filesystem::remove(path);
        return out;
    }();
    return bytes;
}

void exercise(const std::filesystem::path& path, bool writable) {
    di::OpenOptions options;
    options.writable = writable;
    options.open_backing = false;
    options.l2_cache_bytes = 4 * kClusterSize;
    auto image = di::Qcow2Image::open(path, options);
    std::vector<std::byte> buffer(64 * 1024);
    const std::uint64_t size = std::min<std::uint64_t>(image->virtual_size(), 8 << 20);
    for (std::uint64_t offset = 0; offset + buffer.size() <= size; offset += buffer.size()) {
        (void)image->known_zero(offset, buffer.size());
        image->read(offset, buffer);
    }
    if (writable && size >= 3 * kClusterSize) {
        image->write(kClusterSize - 100, std::span(buffer).first(kClusterSize));
        image->discard(0, 2 * kClusterSize);
        image->flush();
    }
    (void)image->check(writable ? di::RepairMode::kLeaks : di::RepairMode::kNone);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::byte> image;
    if (size >= 4 && data[0] == 'Q' && data[1] == 'F' && data[2] == 'I' && data[3] == 0xfb) {
        image.assign(reinterpret_cast<const std::byte*>(data),
                     reinterpret_cast<const std::byte*>(data) + size);
    } else {
        image = pristine_image();
        for (std::size_t i = 0; i + 3 <= size; i += 3) {
            const std::size_t at = ((std::size_t{data[i]} << 8) | data[i + 1]) % kMetadataBytes;
            image[at] = static_cast<std::byte>(data[i + 2]);
        }
    }
    const bool writable = size > 0 && (data[size - 1] & 1) != 0;
    const int fd = ::memfd_create("qcow2-fuzz", MFD_CLOEXEC);
    if (fd < 0) {
        std::abort();
    }
    const std::filesystem::path path = "/proc/self/fd/" + std::to_string(fd);
    try {
        di::ImageFile(path, di::OpenMode::kReadWrite).write_at(0, image);
        exercise(path, writable);
    } catch (const di::ImageError&) {
        // The expected outcome for a corrupt image.
    }
    ::close(fd);
    return 0;
}
