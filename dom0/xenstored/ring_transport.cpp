// The shared-ring transport. The guest produces requests and consumes responses; we consume
// requests and produce responses. Indexes are read with acquire and published with release
// ordering, so the data copied is visible before the index that announces it.
#include "xenstored/ring_transport.hpp"

#include <algorithm>
#include <atomic>
#include <cstring>

namespace tern::dom0::xenstored {
namespace {

std::uint32_t load_acquire(std::uint32_t& index) {
    return std::atomic_ref<std::uint32_t>(index).load(std::memory_order_acquire);
}

void store_release(std::uint32_t& index, std::uint32_t value) {
    std::atomic_ref<std::uint32_t>(index).store(value, std::memory_order_release);
}

std::uint32_t ring_offset(std::uint32_t index) {
    return index & (kRingSize - 1);
}

}  // namespace

RingTransport::RingTransport(std::unique_ptr<SharedPage> page,
                             std::unique_ptr<EventChannel> channel, std::string description)
    : page_(std::move(page)), channel_(std::move(channel)), description_(std::move(description)) {
    auto& ring = page_->interface();
    ring.server_features = kServerFeatureError;
    ring.error = kRingErrorNone;
    store_release(ring.connection, kConnectionConnected);
    // The first notification tells a peer that waits for xenstored (dom0's kernel, a guest
    // started before it was introduced) that it is there.
    channel_->notify();
}

void RingTransport::report_error(std::uint32_t error) {
    store_release(page_->interface().error, error);
    channel_->notify();
}

IoResult RingTransport::read(std::span<char> out) {
    auto& ring = page_->interface();
    const std::uint32_t prod = load_acquire(ring.req_prod);
    std::uint32_t cons = ring.req_cons;
    const std::uint32_t available = prod - cons;
    if (available > kRingSize) {
        report_error(kRingErrorRingIndex);
        return IoResult{0, true};
    }
    const std::size_t total = std::min<std::size_t>(available, out.size());
    std::size_t done = 0;
    while (done < total) {
        const std::uint32_t offset = ring_offset(cons);
        const std::size_t chunk = std::min<std::size_t>(total - done, kRingSize - offset);
        std::memcpy(out.data() + done, ring.req + offset, chunk);
        done += chunk;
        cons += static_cast<std::uint32_t>(chunk);
    }
    if (done > 0) {
        store_release(ring.req_cons, cons);
        channel_->notify();
    }
    return IoResult{done, false};
}

IoResult RingTransport::write(std::span<const char> in) {
    auto& ring = page_->interface();
    const std::uint32_t cons = load_acquire(ring.rsp_cons);
    std::uint32_t prod = ring.rsp_prod;
    const std::uint32_t used = prod - cons;
    if (used > kRingSize) {
        report_error(kRingErrorRingIndex);
        return IoResult{0, true};
    }
    const std::size_t total = std::min<std::size_t>(kRingSize - used, in.size());
    std::size_t done = 0;
    while (done < total) {
        const std::uint32_t offset = ring_offset(prod);
        const std::size_t chunk = std::min<std::size_t>(total - done, kRingSize - offset);
        std::memcpy(ring.rsp + offset, in.data() + done, chunk);
        done += chunk;
        prod += static_cast<std::uint32_t>(chunk);
    }
    if (done > 0) {
        store_release(ring.rsp_prod, prod);
        channel_->notify();
    }
    return IoResult{done, false};
}

}  // namespace tern::dom0::xenstored
