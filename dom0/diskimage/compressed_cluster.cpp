// Implements inflate_cluster on zlib.
#include "diskimage/compressed_cluster.hpp"

#include <zlib.h>

#include <string>

#include "diskimage/image_error.hpp"

namespace tern::dom0::diskimage {

void inflate_cluster(std::span<const std::byte> compressed, std::span<std::byte> out,
                     const std::filesystem::path& file, std::uint64_t host_offset) {
    z_stream stream{};
    if (inflateInit2(&stream, -12) != Z_OK) {
        throw ImageError(file, "zlib inflateInit2 failed");
    }
    // zlib's interface is not const-correct; it does not write through next_in.
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(compressed.data()));
    stream.avail_in = static_cast<uInt>(compressed.size());
    stream.next_out = reinterpret_cast<Bytef*>(out.data());
    stream.avail_out = static_cast<uInt>(out.size());
    const int result = inflate(&stream, Z_FINISH);
    const bool complete = stream.avail_out == 0 &&
                          (result == Z_STREAM_END || result == Z_BUF_ERROR || result == Z_OK);
    inflateEnd(&stream);
    if (!complete) {
        throw ImageError(file, "compressed cluster at " + std::to_string(host_offset) +
                                   " is corrupt (zlib: " + std::to_string(result) + ", " +
                                   std::to_string(out.size() - stream.avail_out) + " of " +
                                   std::to_string(out.size()) + " bytes)");
    }
}

}  // namespace tern::dom0::diskimage
