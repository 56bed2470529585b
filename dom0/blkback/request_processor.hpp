// Defines RequestProcessor, what the block backend does with one request of a guest's ring:
// it checks the request (operation, segment count, each segment's sector range inside its
// page, the whole range inside the disk, writes to a read-only disk) and answers anything
// wrong with an error status before touching a page; then it maps the request's grant
// references in one batch (read-only for a write), moves the data between those pages and
// the image, and unmaps them before answering. FLUSH_DISKCACHE and WRITE_BARRIER write their
// segments (if any) and then make every completed write durable. Nothing a guest sends makes
// it throw.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "diskimage/disk_image.hpp"
#include "dom0/blkback/blkif_protocol.hpp"
#include "dom0/blkback/segment_mapper.hpp"

namespace tern::dom0::blkback {

// Where the processor reports why a request failed (a line without the device's name).
using RequestLogger = std::function<void(const std::string&)>;

// What a device served: requests answered OKAY by kind, and those answered with an error.
struct RequestCounts {
    std::uint64_t reads = 0;
    std::uint64_t writes = 0;
    std::uint64_t flushes = 0;
    std::uint64_t errors = 0;
};

class RequestProcessor {
  public:
    RequestProcessor(std::uint32_t domain, diskimage::DiskImage& image, bool read_only,
                     SegmentMapper& mapper, RequestLogger logger);

    std::uint64_t sectors() const { return sectors_; }
    const RequestCounts& counts() const { return counts_; }
    BlkifResponse process(const BlkifRequest& request);

  private:
    BlkifStatus transfer(const BlkifRequest& request, bool to_guest);
    BlkifStatus check_segments(const BlkifRequest& request, std::uint64_t& total_sectors);
    BlkifStatus refuse(const BlkifRequest& request, const std::string& why);

    std::uint32_t domain_;
    diskimage::DiskImage& image_;
    bool read_only_;
    std::uint64_t sectors_;
    SegmentMapper& mapper_;
    RequestLogger logger_;
    int refusals_logged_ = 0;
    RequestCounts counts_;
};

}  // namespace tern::dom0::blkback
