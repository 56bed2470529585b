// Defines the whole-image operations built on DiskImage: copying contents (convert, VDI.copy)
// and creating a copy-on-write overlay (snapshot by backing file, VDI.snapshot and clone).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "diskimage/disk_image.hpp"
#include "diskimage/image_open.hpp"

namespace tern::dom0::diskimage {

// Called after each chunk with bytes done and total; returning false cancels the copy.
using CopyProgress = std::function<bool(std::uint64_t done, std::uint64_t total)>;

// Copies every byte of `from` into `to` (which must be at least as large), skipping what reads
// as zeros so that `to` stays sparse, then flushes `to`. Returns false when cancelled.
bool copy_contents(DiskImage& from, DiskImage& to, const CopyProgress& progress = {});

// Creates `overlay`, a qcow2 image backed by `base` with the same virtual size. `base` is
// recorded relative to the overlay's folder (absolute paths stay absolute), so that both can be
// named from any working directory and moved together. `options` may set cluster size etc.
void create_overlay(const std::filesystem::path& base, const std::filesystem::path& overlay,
                    CreateOptions options = {});

}  // namespace tern::dom0::diskimage
