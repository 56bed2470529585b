#include "common/domain_memory.hpp"

namespace tern::hv {

DomainMemory::~DomainMemory() {
    free_room();
}

void DomainMemory::free_room() {
    if (room_owner_ != nullptr)
        room_owner_->free_object(extents_, capacity_ * sizeof(MemoryExtent));
    room_owner_ = nullptr;
    extents_ = first_.data();
    capacity_ = kFirstExtents;
}

Status DomainMemory::reserve_one(MachineMemory& machine) {
    if (count_ < capacity_)
        return Status::ok;
    const std::size_t grown = capacity_ * 2;
    auto room = machine.allocate_object(grown * sizeof(MemoryExtent));
    if (!room.ok())
        return room.status();
    auto* extents = static_cast<MemoryExtent*>(room.value());
    for (std::size_t i = 0; i < count_; ++i)
        extents[i] = extents_[i];
    const std::size_t count = count_;
    free_room();
    extents_ = extents;
    capacity_ = grown;
    count_ = count;
    room_owner_ = &machine;
    return Status::ok;
}

bool DomainMemory::overlaps(GfnRange range) const {
    for (std::size_t i = 0; i < count_; ++i) {
        const MemoryExtent& e = extents_[i];
        if (range.first < e.gfn + e.pages && e.gfn < range.end())
            return true;
    }
    return false;
}

bool DomainMemory::add(MemoryExtent extent) {
    if (count_ == capacity_)
        return false;
    extents_[count_++] = extent;
    return true;
}

void DomainMemory::remove_at(std::size_t index) {
    for (std::size_t i = index + 1; i < count_; ++i)
        extents_[i - 1] = extents_[i];
    --count_;
}

Status DomainMemory::populate(GfnRange range, MachineMemory& machine) {
    if (!is_populatable(range))
        return Status::invalid_argument;
    if (overlaps(range))
        return Status::already_exists;
    if (range.count > max_pages_ - pages_)
        return Status::out_of_memory;
    const std::size_t first_new = count_;
    auto undo = [&] {
        while (count_ > first_new) {
            const MemoryExtent& e = extents_[count_ - 1];
            machine.free(e.machine, e.pages);
            pages_ -= e.pages;
            --count_;
        }
    };
    std::uint64_t gfn = range.first;
    std::uint64_t remaining = range.count;
    std::uint64_t want = remaining;  // halved while the allocator cannot give that much
    while (remaining != 0) {
        std::uint64_t chunk = want < remaining ? want : remaining;
        const std::uint64_t misalign = gfn % kBlockPages;
        if (misalign != 0 && chunk > kBlockPages - misalign)
            chunk = kBlockPages - misalign;  // small pages up to the next 2 MiB frame
        const bool block = misalign == 0 && chunk >= kBlockPages;
        if (block)
            chunk -= chunk % kBlockPages;
        auto got = machine.allocate_zeroed(chunk, block ? kBlockPages : 1);
        if (!got.ok()) {
            if (chunk == 1) {
                undo();
                return Status::out_of_memory;
            }
            want = chunk / 2;
            continue;
        }
        if (reserve_one(machine) != Status::ok || !add({gfn, got.value(), chunk})) {
            machine.free(got.value(), chunk);
            undo();
            return Status::out_of_memory;
        }
        pages_ += chunk;
        gfn += chunk;
        remaining -= chunk;
    }
    return Status::ok;
}

Result<std::uint64_t> DomainMemory::release(GfnRange range, MachineMemory& machine) {
    if (range.count == 0 || range.end() < range.first)
        return Status::invalid_argument;
    std::uint64_t released = 0;
    std::size_t i = 0;
    while (i < count_) {
        const MemoryExtent e = extents_[i];
        const std::uint64_t start = range.first > e.gfn ? range.first : e.gfn;
        const std::uint64_t end = range.end() < e.gfn + e.pages ? range.end() : e.gfn + e.pages;
        if (start >= end) {
            ++i;
            continue;
        }
        const bool left = start > e.gfn;
        const bool right = end < e.gfn + e.pages;
        if (left && right && reserve_one(machine) != Status::ok)
            return Status::out_of_memory;  // no room to split it: nothing of it released
        machine.free(Paddr{e.machine.value + (start - e.gfn) * kPageSize}, end - start);
        released += end - start;
        pages_ -= end - start;
        if (left) {
            extents_[i].pages = start - e.gfn;
            ++i;
            if (right)
                (void)add({end, Paddr{e.machine.value + (end - e.gfn) * kPageSize},
                           e.gfn + e.pages - end});
        } else if (right) {
            extents_[i] = {end, Paddr{e.machine.value + (end - e.gfn) * kPageSize},
                           e.gfn + e.pages - end};
            ++i;
        } else {
            remove_at(i);
        }
    }
    return released;
}

void DomainMemory::release_all(MachineMemory& machine) {
    for (std::size_t i = 0; i < count_; ++i)
        machine.free(extents_[i].machine, extents_[i].pages);
    count_ = 0;
    pages_ = 0;
    free_room();
}

std::optional<Paddr> DomainMemory::machine_of(std::uint64_t gfn) const {
    for (std::size_t i = 0; i < count_; ++i) {
        const MemoryExtent& e = extents_[i];
        if (gfn >= e.gfn && gfn < e.gfn + e.pages)
            return Paddr{e.machine.value + (gfn - e.gfn) * kPageSize};
    }
    return std::nullopt;
}

}  // namespace tern::hv
