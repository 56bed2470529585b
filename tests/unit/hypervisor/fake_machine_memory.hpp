// FakeMachineMemory: a MachineMemory for host tests. Guest pages come from a real
// PageAllocator over made-up banks (their addresses are never touched; each allocation is
// recorded as "zeroed", each byte copied in is kept in `written`), and objects from the host heap.
#pragma once

#include <cstdlib>
#include <cstring>
#include <map>
#include <utility>
#include <vector>

#include "common/machine_memory.hpp"
#include "common/page_allocator.hpp"

namespace tern::hv {

class FakeMachineMemory final : public MachineMemory {
  public:
    explicit FakeMachineMemory(std::vector<MemoryBank> banks, std::vector<PhysRange> holes = {})
        : banks_(std::move(banks)) {
        bitmap_.resize(PageAllocator::bitmap_bytes(banks_) / 8 + 1, ~0ull);
        auto a = PageAllocator::create(banks_, holes, bitmap_);
        if (a.ok())
            pages_ = a.value();
    }
    Result<Paddr> allocate_zeroed(std::uint64_t count, std::uint64_t align_pages) override {
        if (fail_after_ == 0)
            return Status::out_of_memory;
        if (fail_after_ > 0)
            --fail_after_;
        auto got = pages_.allocate(count, align_pages);
        if (got.ok())
            zeroed.emplace_back(got.value(), count);
        return got;
    }
    void free(Paddr start, std::uint64_t count) override {
        EXPECT_EQ(pages_.free(start, count), Status::ok) << std::hex << start.value << " " << count;
    }
    bool copy_from(GuestMemory& from, std::uint64_t va, Paddr to, std::size_t size) override {
        std::vector<std::uint8_t> bytes(size);
        if (!from.read(va, bytes.data(), size))
            return false;
        for (std::size_t i = 0; i < size; ++i)
            written[to.value + i] = bytes[i];
        return true;
    }
    std::uint64_t free_pages() const override { return pages_.free_pages(); }
    std::uint64_t total_pages() const override { return pages_.total_pages(); }
    Result<void*> allocate_object(std::size_t bytes) override {
        if (refuse_objects)
            return Status::out_of_memory;
        // Page aligned and zeroed, as the image's pages are.
        const std::size_t size = (bytes + 4095) / 4096 * 4096;
        void* p = std::aligned_alloc(4096, size);
        std::memset(p, 0, size);
        ++live_objects;
        return p;
    }
    void free_object(void* object, std::size_t) override {
        std::free(object);
        --live_objects;
    }

    // Allocations succeed `n` more times, then fail (negative: never fail).
    void fail_after(int n) { fail_after_ = n; }

    PageAllocator& allocator() { return pages_; }
    std::vector<std::pair<Paddr, std::uint64_t>> zeroed;
    std::map<std::uint64_t, std::uint8_t> written;  // machine address -> byte copied there
    bool refuse_objects = false;
    int live_objects = 0;

  private:
    std::vector<MemoryBank> banks_;
    std::vector<std::uint64_t> bitmap_;
    PageAllocator pages_;
    int fail_after_ = -1;
};

}  // namespace tern::hv
