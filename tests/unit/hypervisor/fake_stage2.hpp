// FakeStage2: dom0's stage 2 for host tests, a map from frame to machine address. Frames
// [first, first + frames) are dom0's RAM, mapped 1:1 at the start.
#pragma once

#include <cstdint>
#include <map>

#include "common/dom0_memory.hpp"

namespace tern::hv {

struct FakeStage2 final : Stage2Edit {
    FakeStage2(std::uint64_t first, std::uint64_t frames) : first(first), frames(frames) {
        for (std::uint64_t g = first; g < first + frames; ++g)
            mapped[g] = g << kPageShift;
    }
    bool is_ram_frame(std::uint64_t gfn) const override {
        return gfn >= first && gfn < first + frames;
    }
    bool is_mapped(std::uint64_t gfn) const override { return mapped.count(gfn) != 0; }
    bool map(std::uint64_t gfn, Paddr machine, MapAccess access) override {
        mapped[gfn] = machine.value;
        writable[gfn] = access == MapAccess::read_write;
        return true;
    }
    bool unmap(std::uint64_t gfn) override {
        mapped.erase(gfn);
        writable.erase(gfn);
        return true;
    }
    std::uint64_t first;
    std::uint64_t frames;
    std::map<std::uint64_t, std::uint64_t> mapped;
    std::map<std::uint64_t, bool> writable;  // for the frames map() mapped
};

}  // namespace tern::hv
