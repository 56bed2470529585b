// GrantTable: frames on demand and the descriptive grant_table_op calls. Each call's structs
// are processed in order; a failure to read or write one stops there with -EFAULT, as Xen does.
#include "common/grant_table.hpp"

#include "common/guest_errno.hpp"

namespace tern::hv {
namespace {

constexpr std::int16_t kGntstOkay = 0;
constexpr std::int16_t kGntstBadDomain = -2;
constexpr std::uint64_t kMaxBatch = 512;

}  // namespace

Result<std::uint64_t> GrantTable::frame(std::uint32_t idx, PageSource make_page) {
    if (idx >= max_frames_)
        return Status::invalid_argument;
    if (frames_[idx] == 0) {
        const std::uint64_t page = make_page != nullptr ? make_page() : 0;
        if (page == 0)
            return Status::out_of_memory;
        frames_[idx] = page;
    }
    if (idx + 1 > nr_frames_)
        nr_frames_ = idx + 1;
    return frames_[idx];
}

Result<std::uint64_t> GrantTable::frame(std::uint32_t idx, MachineMemory& machine) {
    if (idx >= max_frames_)
        return Status::invalid_argument;
    if (frames_[idx] == 0) {
        auto page = machine.allocate_zeroed(1, 1);
        if (!page.ok())
            return page.status();
        frames_[idx] = page->value;
    }
    if (idx + 1 > nr_frames_)
        nr_frames_ = idx + 1;
    return frames_[idx];
}

pub::grant_entry_v1* GrantTable::entry(pub::grant_ref_t ref) const {
    constexpr std::uint32_t kPerFrame = kPageSize / sizeof(pub::grant_entry_v1);
    const std::uint32_t frame = ref / kPerFrame;
    if (frame >= nr_frames_ || frames_[frame] == 0)
        return nullptr;
    return reinterpret_cast<pub::grant_entry_v1*>(frames_[frame]) + ref % kPerFrame;
}

void GrantTable::release_frames(MachineMemory& machine) {
    for (std::uint64_t& f : frames_) {
        if (f != 0)
            machine.free(Paddr{f}, 1);
        f = 0;
    }
    nr_frames_ = kInitialFrames;
}

std::int64_t GrantTable::op(GuestMemory& memory, std::uint64_t cmd, std::uint64_t arg,
                            std::uint64_t count) {
    if (count > kMaxBatch)
        return kEinval;
    for (std::uint64_t i = 0; i < count; ++i) {
        switch (cmd) {
            case pub::kGnttabOpQuerySize: {
                pub::gnttab_query_size q{};
                const std::uint64_t at = arg + i * sizeof q;
                if (!memory.read(at, q))
                    return kEfault;
                const bool self = q.dom == pub::kDomidSelf || q.dom == self_;
                q.nr_frames = self ? nr_frames_ : 0;
                q.max_nr_frames = self ? max_frames_ : 0;
                q.status = self ? kGntstOkay : kGntstBadDomain;
                if (!memory.write(at, q))
                    return kEfault;
                break;
            }
            case pub::kGnttabOpSetVersion: {
                pub::gnttab_set_version v{};
                if (!memory.read(arg + i * sizeof v, v))
                    return kEfault;
                if (v.version != 1)
                    return kEinval;  // Tern speaks v1; Linux carries on with it
                break;
            }
            case pub::kGnttabOpGetVersion: {
                pub::gnttab_get_version v{};
                const std::uint64_t at = arg + i * sizeof v;
                if (!memory.read(at, v))
                    return kEfault;
                if (v.dom != pub::kDomidSelf && v.dom != self_)
                    return kEsrch;
                v.version = 1;
                if (!memory.write(at, v))
                    return kEfault;
                break;
            }
            default:
                return kEnosys;  // map/unmap/copy come with other domains; cache_flush too
        }
    }
    return 0;
}

}  // namespace tern::hv
