#include "dom0/blkback/back_ring.hpp"

#include <atomic>
#include <cstring>

namespace tern::dom0::blkback {

namespace {

std::uint32_t load_shared(const std::uint32_t& index) {
    return std::atomic_ref<std::uint32_t>(const_cast<std::uint32_t&>(index))
        .load(std::memory_order_acquire);
}

void store_shared(std::uint32_t& index, std::uint32_t value) {
    std::atomic_ref<std::uint32_t>(index).store(value, std::memory_order_release);
}

}  // namespace

BackRing::BackRing(void* page, std::size_t pages)
    : header_(static_cast<BlkifSharedRingHeader*>(page)),
      slots_base_(reinterpret_cast<BlkifSlot*>(header_ + 1)),
      slots_(ring_slots(pages)) {
    // The front end initialised the indices; a fresh ring starts at whatever it wrote.
    req_cons_ = rsp_prod_pvt_ = load_shared(header_->rsp_prod);
}

std::uint32_t BackRing::guest_req_prod() const {
    return load_shared(header_->req_prod);
}

bool BackRing::has_unconsumed_requests() {
    if (broken_)
        return false;
    const std::uint32_t prod = guest_req_prod();
    // More requests than slots past the last response: the guest overwrote its own.
    if (static_cast<std::uint32_t>(prod - rsp_prod_pvt_) > slots_) {
        broken_ = true;
        return false;
    }
    // Taken but unanswered requests still hold their slots (never more than the ring).
    const std::uint32_t room = slots_ - (req_cons_ - rsp_prod_pvt_);
    return prod != req_cons_ && room != 0;
}

std::optional<BlkifRequest> BackRing::take_request() {
    if (!has_unconsumed_requests())
        return std::nullopt;
    BlkifRequest request;
    std::memcpy(&request, &slot(req_cons_).request, sizeof request);
    std::atomic_thread_fence(std::memory_order_acquire);
    ++req_cons_;
    return request;
}

void BackRing::put_response(const BlkifResponse& response) {
    std::memcpy(&slot(rsp_prod_pvt_).response, &response, sizeof response);
    ++rsp_prod_pvt_;
}

bool BackRing::publish() {
    const std::uint32_t old_prod = load_shared(header_->rsp_prod);
    const std::uint32_t new_prod = rsp_prod_pvt_;
    store_shared(header_->rsp_prod, new_prod);  // the responses before the index
    std::atomic_thread_fence(std::memory_order_seq_cst);
    const std::uint32_t event = load_shared(header_->rsp_event);
    return static_cast<std::uint32_t>(new_prod - event) <
           static_cast<std::uint32_t>(new_prod - old_prod);
}

bool BackRing::final_check_for_requests() {
    if (has_unconsumed_requests())
        return true;
    if (broken_)
        return false;
    store_shared(header_->req_event, req_cons_ + 1);
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return has_unconsumed_requests();
}

}  // namespace tern::dom0::blkback
