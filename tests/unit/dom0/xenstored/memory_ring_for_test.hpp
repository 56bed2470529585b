// Test helpers: a xenstore ring page in plain memory, an event channel that counts
// notifications, and GuestEnd_for_test, the guest's side of the ring (requests in, replies out).
#pragma once

#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "xenstored/ring_transport.hpp"
#include "xenstored/wire.hpp"

namespace tern::dom0::xenstored {

struct SharedMemory_for_test {
    XenstoreDomainInterface page{};
    int notifications_to_guest = 0;
};

class MemoryPage_for_test : public SharedPage {
  public:
    explicit MemoryPage_for_test(std::shared_ptr<SharedMemory_for_test> memory)
        : memory_(std::move(memory)) {}
    XenstoreDomainInterface& interface() override { return memory_->page; }

  private:
    std::shared_ptr<SharedMemory_for_test> memory_;
};

class CountingChannel_for_test : public EventChannel {
  public:
    explicit CountingChannel_for_test(std::shared_ptr<SharedMemory_for_test> memory)
        : memory_(std::move(memory)) {}
    void notify() override { ++memory_->notifications_to_guest; }
    int fd() const override { return -1; }

  private:
    std::shared_ptr<SharedMemory_for_test> memory_;
};

inline std::unique_ptr<RingTransport> make_memory_ring_for_test(
    const std::shared_ptr<SharedMemory_for_test>& memory) {
    return std::make_unique<RingTransport>(std::make_unique<MemoryPage_for_test>(memory),
                                           std::make_unique<CountingChannel_for_test>(memory),
                                           "memory ring");
}

// The guest's side: produces requests, consumes replies, as a guest kernel would.
class GuestEnd_for_test {
  public:
    explicit GuestEnd_for_test(std::shared_ptr<SharedMemory_for_test> memory)
        : memory_(std::move(memory)) {}

    // Puts up to `max` bytes of `bytes` into the request ring; returns how many fit.
    std::size_t put_request_bytes(std::string_view bytes, std::size_t max = SIZE_MAX) {
        auto& page = memory_->page;
        std::size_t done = 0;
        while (done < bytes.size() && done < max && page.req_prod - page.req_cons < kRingSize) {
            page.req[page.req_prod & (kRingSize - 1)] = bytes[done++];
            ++page.req_prod;
        }
        return done;
    }

    // Takes every byte from the response ring.
    std::string take_response_bytes() {
        auto& page = memory_->page;
        std::string out;
        while (page.rsp_cons != page.rsp_prod) {
            out += page.rsp[page.rsp_cons & (kRingSize - 1)];
            ++page.rsp_cons;
        }
        return out;
    }

    // Queues a whole request (it must fit in the ring).
    void send(MessageType type, std::string_view payload, std::uint32_t tx_id = 0,
              std::uint32_t req_id = 7) {
        const std::string bytes = encode_message(
            MessageHeader{static_cast<std::uint32_t>(type), req_id, tx_id, 0}, payload);
        put_request_bytes(bytes);
    }

    // Collects the replies and events sent so far.
    std::vector<Message> receive() {
        pending_ += take_response_bytes();
        std::vector<Message> messages;
        while (pending_.size() >= kHeaderSize) {
            MessageHeader header{};
            std::memcpy(&header, pending_.data(), kHeaderSize);
            if (pending_.size() < kHeaderSize + header.len) {
                break;
            }
            messages.push_back(Message{header, pending_.substr(kHeaderSize, header.len)});
            pending_.erase(0, kHeaderSize + header.len);
        }
        return messages;
    }

  private:
    std::shared_ptr<SharedMemory_for_test> memory_;
    std::string pending_;
};

// A payload of nul-terminated strings.
inline std::string strings_for_test(std::initializer_list<std::string_view> parts) {
    std::string out;
    for (auto part : parts) {
        out += part;
        out += '\0';
    }
    return out;
}

}  // namespace tern::dom0::xenstored
