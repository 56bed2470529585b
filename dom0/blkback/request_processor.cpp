#include "dom0/blkback/request_processor.hpp"

#include <exception>
#include <memory>
#include <span>
#include <vector>

namespace tern::dom0::blkback {

namespace {

// How many refusals are logged per device before the rest are only counted in silence (a
// misbehaving guest must not fill dom0's log).
constexpr int kMaxLoggedRefusals = 20;

std::string op_name(std::uint8_t op) {
    switch (static_cast<BlkifOp>(op)) {
        case BlkifOp::kRead:
            return "read";
        case BlkifOp::kWrite:
            return "write";
        case BlkifOp::kWriteBarrier:
            return "write barrier";
        case BlkifOp::kFlushDiskCache:
            return "flush";
        case BlkifOp::kDiscard:
            return "discard";
        case BlkifOp::kIndirect:
            return "indirect";
    }
    return "operation " + std::to_string(op);
}

}  // namespace

RequestProcessor::RequestProcessor(std::uint32_t domain, diskimage::DiskImage& image,
                                   bool read_only, SegmentMapper& mapper, RequestLogger logger)
    : domain_(domain),
      image_(image),
      read_only_(read_only),
      sectors_(image.virtual_size() / kSectorSize),
      mapper_(mapper),
      logger_(std::move(logger)) {}

BlkifStatus RequestProcessor::refuse(const BlkifRequest& request, const std::string& why) {
    if (refusals_logged_ < kMaxLoggedRefusals) {
        ++refusals_logged_;
        logger_(op_name(request.operation) + " at sector " + std::to_string(request.sector_number) +
                " refused: " + why);
    }
    return BlkifStatus::kError;
}

BlkifResponse RequestProcessor::process(const BlkifRequest& request) {
    BlkifResponse response{};
    response.id = request.id;
    response.operation = request.operation;
    BlkifStatus status = BlkifStatus::kError;
    switch (static_cast<BlkifOp>(request.operation)) {
        case BlkifOp::kRead:
            status = transfer(request, true);
            break;
        case BlkifOp::kWrite:
            status = transfer(request, false);
            break;
        case BlkifOp::kWriteBarrier:
        case BlkifOp::kFlushDiskCache:
            if (read_only_) {
                status = refuse(request, "the disk is read-only");
                break;
            }
            status = request.nr_segments == 0 ? BlkifStatus::kOkay : transfer(request, false);
            if (status == BlkifStatus::kOkay) {
                try {
                    image_.flush();
                } catch (const std::exception& e) {
                    status = refuse(request, e.what());
                }
            }
            break;
        case BlkifOp::kDiscard:
        case BlkifOp::kIndirect:
            status = BlkifStatus::kNotSupported;  // never advertised
            break;
        default:
            status = refuse(request, "unknown operation");
            break;
    }
    response.status = static_cast<std::int16_t>(status);
    if (status != BlkifStatus::kOkay) {
        ++counts_.errors;
    } else {
        switch (static_cast<BlkifOp>(request.operation)) {
            case BlkifOp::kRead:
                ++counts_.reads;
                break;
            case BlkifOp::kWrite:
                ++counts_.writes;
                break;
            default:
                ++counts_.flushes;
                break;
        }
    }
    return response;
}

BlkifStatus RequestProcessor::check_segments(const BlkifRequest& request,
                                             std::uint64_t& total_sectors) {
    if (request.nr_segments == 0 || request.nr_segments > kMaxSegments)
        return refuse(request, std::to_string(request.nr_segments) + " segments");
    total_sectors = 0;
    for (std::size_t i = 0; i < request.nr_segments; ++i) {
        const BlkifSegment& seg = request.seg[i];
        if (seg.first_sect > seg.last_sect || seg.last_sect >= kSectorsPerPage)
            return refuse(request, "segment " + std::to_string(i) + " covers sectors " +
                                       std::to_string(seg.first_sect) + " to " +
                                       std::to_string(seg.last_sect) + " of its page");
        total_sectors += seg.last_sect - seg.first_sect + 1u;
    }
    if (request.sector_number > sectors_ || total_sectors > sectors_ - request.sector_number)
        return refuse(request, std::to_string(total_sectors) +
                                   " sectors past the end of the disk (" +
                                   std::to_string(sectors_) + " sectors)");
    return BlkifStatus::kOkay;
}

BlkifStatus RequestProcessor::transfer(const BlkifRequest& request, bool to_guest) {
    if (!to_guest && read_only_)
        return refuse(request, "the disk is read-only");
    std::uint64_t total_sectors = 0;
    if (const BlkifStatus checked = check_segments(request, total_sectors);
        checked != BlkifStatus::kOkay)
        return checked;
    std::vector<std::uint32_t> refs(request.nr_segments);
    for (std::size_t i = 0; i < refs.size(); ++i)
        refs[i] = request.seg[i].gref;
    try {
        // A read writes into the guest's pages; a write only reads them.
        std::unique_ptr<MappedPages> pages = mapper_.map(domain_, refs, to_guest);
        std::uint64_t offset = request.sector_number * kSectorSize;
        for (std::size_t i = 0; i < refs.size(); ++i) {
            const BlkifSegment& seg = request.seg[i];
            const std::size_t bytes = (seg.last_sect - seg.first_sect + 1u) * kSectorSize;
            auto* data =
                reinterpret_cast<std::byte*>(pages->page(i) + seg.first_sect * kSectorSize);
            if (to_guest)
                image_.read(offset, std::span<std::byte>(data, bytes));
            else
                image_.write(offset, std::span<const std::byte>(data, bytes));
            offset += bytes;
        }
    } catch (const std::exception& e) {
        return refuse(request, e.what());
    }
    return BlkifStatus::kOkay;
}

}  // namespace tern::dom0::blkback
