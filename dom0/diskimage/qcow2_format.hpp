// Defines the constants of the qcow2 format and the decoding of its table entries (L1, L2,
// refcount table), following QEMU's docs/interop/qcow2.txt.
#pragma once

#include <cstdint>

namespace tern::dom0::diskimage::qcow2 {

inline constexpr std::uint32_t kMagic = 0x514649fb;  // "QFI\xfb"
// Virtual sizes are whole 512-byte sectors (QEMU rounds them so, and reads no partial one).
inline constexpr std::uint64_t kSectorSize = 512;
inline constexpr std::uint32_t kMinClusterBits = 9;
inline constexpr std::uint32_t kMaxClusterBits = 21;
inline constexpr std::uint32_t kDefaultClusterBits = 16;
inline constexpr std::uint32_t kV2HeaderLength = 72;
inline constexpr std::uint32_t kV3HeaderLength = 104;
// Header length we write for version 3: the base header plus the compression-type byte and
// padding to a multiple of 8.
inline constexpr std::uint32_t kV3WrittenHeaderLength = 112;
inline constexpr std::uint32_t kDefaultRefcountOrder = 4;  // 16-bit refcounts
inline constexpr std::uint64_t kMaxVirtualSize = std::uint64_t{1} << 55;
inline constexpr std::uint32_t kMaxL1Entries = 4 * 1024 * 1024;  // 32 MiB, as QEMU
inline constexpr std::uint32_t kMaxSnapshots = 65536;
inline constexpr std::uint64_t kMaxRefcountTableBytes = std::uint64_t{8} << 20;
inline constexpr std::uint32_t kMaxBackingNameLength = 1023;

// Header field byte offsets.
namespace field {
inline constexpr std::size_t kMagic = 0;
inline constexpr std::size_t kVersion = 4;
inline constexpr std::size_t kBackingFileOffset = 8;
inline constexpr std::size_t kBackingFileSize = 16;
inline constexpr std::size_t kClusterBits = 20;
inline constexpr std::size_t kSize = 24;
inline constexpr std::size_t kCryptMethod = 32;
inline constexpr std::size_t kL1Size = 36;
inline constexpr std::size_t kL1TableOffset = 40;
inline constexpr std::size_t kRefcountTableOffset = 48;
inline constexpr std::size_t kRefcountTableClusters = 56;
inline constexpr std::size_t kNbSnapshots = 60;
inline constexpr std::size_t kSnapshotsOffset = 64;
inline constexpr std::size_t kIncompatibleFeatures = 72;
inline constexpr std::size_t kCompatibleFeatures = 80;
inline constexpr std::size_t kAutoclearFeatures = 88;
inline constexpr std::size_t kRefcountOrder = 96;
inline constexpr std::size_t kHeaderLength = 100;
inline constexpr std::size_t kCompressionType = 104;
}  // namespace field

// Incompatible feature bits.
inline constexpr std::uint64_t kIncompatDirty = 1u << 0;
inline constexpr std::uint64_t kIncompatCorrupt = 1u << 1;
inline constexpr std::uint64_t kIncompatExternalData = 1u << 2;
inline constexpr std::uint64_t kIncompatCompressionType = 1u << 3;
inline constexpr std::uint64_t kIncompatExtendedL2 = 1u << 4;
inline constexpr std::uint64_t kIncompatKnown = kIncompatDirty | kIncompatCorrupt;
// Compatible feature bits.
inline constexpr std::uint64_t kCompatLazyRefcounts = 1u << 0;

// Header extension types.
inline constexpr std::uint32_t kExtEnd = 0;
inline constexpr std::uint32_t kExtBackingFormat = 0xe2792aca;
inline constexpr std::uint32_t kExtFeatureNameTable = 0x6803f857;

// L1 and L2 entry bits.
inline constexpr std::uint64_t kOflagCopied = std::uint64_t{1} << 63;
inline constexpr std::uint64_t kOflagCompressed = std::uint64_t{1} << 62;
inline constexpr std::uint64_t kOflagZero = 1;
inline constexpr std::uint64_t kOffsetMask = 0x00fffffffffffe00;  // bits 9-55
inline constexpr std::uint64_t kL1ReservedMask = 0x7f000000000001ff;
inline constexpr std::uint64_t kL2StandardReservedMask = 0x3f000000000001fe;
inline constexpr std::uint64_t kRefcountTableOffsetMask = 0xfffffffffffffe00;

enum class ClusterKind { kUnallocated, kZero, kNormal, kCompressed };

// A decoded L2 entry.
struct L2Entry {
    ClusterKind kind = ClusterKind::kUnallocated;
    std::uint64_t host_offset = 0;       // normal: cluster offset; compressed: byte offset of data
    std::uint64_t compressed_bytes = 0;  // compressed: bytes to read from host_offset
    bool copied = false;                 // refcount is exactly one, may be written in place
    // A zero cluster that still owns a preallocated host cluster (host_offset).
    bool zero_with_allocation = false;
};

// Decodes a raw L2 entry of an image with the given cluster bits and version.
[[nodiscard]] constexpr L2Entry decode_l2_entry(std::uint64_t raw, std::uint32_t cluster_bits,
                                                std::uint32_t version) {
    L2Entry entry;
    entry.copied = (raw & kOflagCopied) != 0;
    if ((raw & kOflagCompressed) != 0) {
        // Bits 0..x-1 host offset, x..61 additional 512-byte sectors, x = 62 - (cluster_bits - 8).
        const std::uint32_t x = 62 - (cluster_bits - 8);
        const std::uint64_t offset = raw & ((std::uint64_t{1} << x) - 1);
        const std::uint64_t sectors = ((raw & ~kOflagCopied & ~kOflagCompressed) >> x) + 1;
        entry.kind = ClusterKind::kCompressed;
        entry.host_offset = offset;
        entry.compressed_bytes = sectors * 512 - (offset & 511);
        entry.copied = false;
        return entry;
    }
    entry.host_offset = raw & kOffsetMask;
    if (version >= 3 && (raw & kOflagZero) != 0) {
        entry.kind = ClusterKind::kZero;
        entry.zero_with_allocation = entry.host_offset != 0;
        return entry;
    }
    entry.kind = entry.host_offset != 0 ? ClusterKind::kNormal : ClusterKind::kUnallocated;
    return entry;
}

[[nodiscard]] constexpr std::uint64_t encode_normal_l2_entry(std::uint64_t host_offset) {
    return (host_offset & kOffsetMask) | kOflagCopied;
}

// Encodes a compressed-cluster descriptor (used by tests to build images by hand).
[[nodiscard]] constexpr std::uint64_t encode_compressed_l2_entry(std::uint64_t host_offset,
                                                                 std::uint64_t bytes,
                                                                 std::uint32_t cluster_bits) {
    const std::uint32_t x = 62 - (cluster_bits - 8);
    const std::uint64_t end = host_offset + bytes;
    const std::uint64_t sectors = (end + 511) / 512 - host_offset / 512;
    return kOflagCompressed | ((sectors - 1) << x) | host_offset;
}

}  // namespace tern::dom0::diskimage::qcow2
