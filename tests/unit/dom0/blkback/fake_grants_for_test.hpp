// Defines FakeGrantsForTest: a guest's granted pages in plain memory and a SegmentMapper over
// them, as the block backend's tests need it. A batch is mapped by copying the granted pages
// into one contiguous buffer (as gntdev maps them contiguously) and, for a writable batch,
// copying them back when it is unmapped. It refuses unknown references and a writable map of
// a read-only grant (as the hypervisor does), and counts maps and live batches.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <stdexcept>
#include <vector>

#include "dom0/blkback/blkif_protocol.hpp"
#include "dom0/blkback/segment_mapper.hpp"

namespace tern::dom0::blkback {

class FakeGrantsForTest : public SegmentMapper {
  public:
    struct Grant {
        std::vector<std::uint8_t> page = std::vector<std::uint8_t>(kPageSize, 0);
        bool read_only = false;
    };

    explicit FakeGrantsForTest(std::uint32_t domain) : domain_(domain) {}

    // A new grant; returns its reference.
    std::uint32_t grant(bool read_only = false, std::uint8_t fill = 0) {
        const std::uint32_t ref = next_ref_++;
        grants_[ref].read_only = read_only;
        std::memset(grants_[ref].page.data(), fill, kPageSize);
        return ref;
    }
    std::vector<std::uint8_t>& page(std::uint32_t ref) { return grants_.at(ref).page; }

    std::unique_ptr<MappedPages> map(std::uint32_t domain, std::span<const std::uint32_t> refs,
                                     bool writable) override {
        ++map_calls_;
        last_batch_ = refs.size();
        last_writable_ = writable;
        if (domain != domain_)
            throw std::runtime_error("fake grants: wrong domain");
        for (const std::uint32_t ref : refs) {
            auto it = grants_.find(ref);
            if (it == grants_.end())
                throw std::runtime_error("fake grants: no grant " + std::to_string(ref));
            if (writable && it->second.read_only)
                throw std::runtime_error("fake grants: grant " + std::to_string(ref) +
                                         " is read-only");
        }
        return std::make_unique<Batch>(*this, std::vector<std::uint32_t>(refs.begin(), refs.end()),
                                       writable);
    }

    int map_calls() const { return map_calls_; }
    int live_batches() const { return live_; }
    std::size_t last_batch() const { return last_batch_; }
    bool last_writable() const { return last_writable_; }

  private:
    class Batch : public MappedPages {
      public:
        Batch(FakeGrantsForTest& owner, std::vector<std::uint32_t> refs, bool writable)
            : owner_(owner),
              refs_(std::move(refs)),
              writable_(writable),
              buffer_(refs_.size() * kPageSize) {
            if (refs_.size() > 1) {
                for (std::size_t i = 0; i < refs_.size(); ++i)
                    std::memcpy(&buffer_[i * kPageSize], owner_.page(refs_[i]).data(), kPageSize);
            }
            ++owner_.live_;
        }
        ~Batch() override {
            if (writable_ && refs_.size() > 1) {
                for (std::size_t i = 0; i < refs_.size(); ++i)
                    std::memcpy(owner_.page(refs_[i]).data(), &buffer_[i * kPageSize], kPageSize);
            }
            --owner_.live_;
        }
        std::uint8_t* page(std::size_t i) override {
            if (refs_.size() == 1 && i == 0)
                return owner_.page(refs_[0]).data();
            return &buffer_.at(i * kPageSize);
        }

      private:
        FakeGrantsForTest& owner_;
        std::vector<std::uint32_t> refs_;
        bool writable_;
        std::vector<std::uint8_t> buffer_;
    };

    std::uint32_t domain_;
    std::uint32_t next_ref_ = 8;  // the first references are the toolstack's
    std::map<std::uint32_t, Grant> grants_;
    int map_calls_ = 0;
    int live_ = 0;
    std::size_t last_batch_ = 0;
    bool last_writable_ = false;
};

}  // namespace tern::dom0::blkback
