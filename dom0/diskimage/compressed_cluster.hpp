// Defines inflate_cluster: decompression of a qcow2 compressed cluster (zlib's raw deflate,
// 4 KiB window, as qcow2's compression type 0 stores it).
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>

namespace tern::dom0::diskimage {

// Inflates `compressed` into exactly out.size() bytes; trailing input past the end of the
// deflate stream is ignored. Throws ImageError naming `file` when the data is corrupt or
// inflates to less than a cluster.
void inflate_cluster(std::span<const std::byte> compressed, std::span<std::byte> out,
                     const std::filesystem::path& file, std::uint64_t host_offset);

}  // namespace tern::dom0::diskimage
