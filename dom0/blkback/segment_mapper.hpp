// Defines SegmentMapper, how the block backend reaches the pages a guest granted it for one
// request or for its ring: a batch of grant references mapped as consecutive pages, kept for
// as long as the MappedPages object lives. The daemon's mapper is gntdev (gntdev_mapper.hpp);
// tests hand in plain memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace tern::dom0::blkback {

class MappedPages {
  public:
    virtual ~MappedPages() = default;
    // Page i of the batch (kPageSize bytes).
    virtual std::uint8_t* page(std::size_t i) = 0;
};

class SegmentMapper {
  public:
    virtual ~SegmentMapper() = default;
    // Maps `refs` of `domain`, read-only unless `writable`; throws (any std::exception) when
    // any of them cannot be mapped, leaving none mapped.
    virtual std::unique_ptr<MappedPages> map(std::uint32_t domain,
                                             std::span<const std::uint32_t> refs,
                                             bool writable) = 0;
};

}  // namespace tern::dom0::blkback
