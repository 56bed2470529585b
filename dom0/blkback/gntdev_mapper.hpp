// Defines GntdevMapper, the block backend's SegmentMapper over dom0's /dev/xen/gntdev
// (GrantDevice): one map ioctl and one mmap per batch, undone when the batch goes.
#pragma once

#include "dom0/blkback/segment_mapper.hpp"
#include "dom0/control/grant_device.hpp"

namespace tern::dom0::blkback {

class GntdevMapper : public SegmentMapper {
  public:
    explicit GntdevMapper(GrantDevice& device) : device_(device) {}
    std::unique_ptr<MappedPages> map(std::uint32_t domain, std::span<const std::uint32_t> refs,
                                     bool writable) override;

  private:
    GrantDevice& device_;
};

}  // namespace tern::dom0::blkback
