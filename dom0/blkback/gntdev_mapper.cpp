#include "dom0/blkback/gntdev_mapper.hpp"

#include "dom0/blkback/blkif_protocol.hpp"

namespace tern::dom0::blkback {

namespace {

class GntdevPages : public MappedPages {
  public:
    explicit GntdevPages(GrantMapping mapping) : mapping_(std::move(mapping)) {}
    std::uint8_t* page(std::size_t i) override { return mapping_.data() + i * kPageSize; }

  private:
    GrantMapping mapping_;
};

}  // namespace

std::unique_ptr<MappedPages> GntdevMapper::map(std::uint32_t domain,
                                               std::span<const std::uint32_t> refs, bool writable) {
    return std::make_unique<GntdevPages>(device_.map(domain, refs, writable));
}

}  // namespace tern::dom0::blkback
