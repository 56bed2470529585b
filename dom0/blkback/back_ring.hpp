// Defines BackRing, dom0's end of a block ring (Xen's io/ring.h back-ring discipline) over a
// shared page: it takes the guest's requests in order (each copied out of the shared page
// before it is looked at, since the guest may change it meanwhile), puts a response in the
// slot of each, publishes them, and says when the guest must be notified. The guest owns
// req_prod and rsp_event, dom0 owns rsp_prod and req_event; a req_prod further ahead than the
// ring holds is a protocol violation that breaks the ring for good.
#pragma once

#include <cstdint>
#include <optional>

#include "dom0/blkback/blkif_protocol.hpp"

namespace tern::dom0::blkback {

class BackRing {
  public:
    // `page` is the ring's first page, `pages` how many there are (contiguous).
    BackRing(void* page, std::size_t pages);

    // The next request, or nothing when none is waiting or the ring is broken.
    std::optional<BlkifRequest> take_request();
    // Puts the response for the oldest request not yet answered (not visible to the guest
    // until publish()).
    void put_response(const BlkifResponse& response);
    // Makes the responses visible; true when the guest asked to be notified of them.
    bool publish();
    // Whether more requests arrived; when none, arms req_event so that the guest notifies us
    // of the next one, then looks once more (the discipline that loses no request).
    bool final_check_for_requests();

    bool broken() const { return broken_; }
    std::uint32_t slots() const { return slots_; }

  private:
    std::uint32_t guest_req_prod() const;
    bool has_unconsumed_requests();
    BlkifSlot& slot(std::uint32_t index) { return slots_base_[index & (slots_ - 1)]; }

    BlkifSharedRingHeader* header_;
    BlkifSlot* slots_base_;
    std::uint32_t slots_;
    std::uint32_t req_cons_ = 0;
    std::uint32_t rsp_prod_pvt_ = 0;
    bool broken_ = false;
};

}  // namespace tern::dom0::blkback
