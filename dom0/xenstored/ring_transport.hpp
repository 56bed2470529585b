// Defines RingTransport, a connection over the shared xenstore page of a domain
// (struct xenstore_domain_interface: a request and a response ring of 1024 bytes each with
// free-running cons/prod indexes). It is written against two small interfaces, the mapped page
// and the event channel, so that plain memory can stand in for both in tests.
#pragma once

#include <memory>

#include "xenstored/transport.hpp"
#include "xenstored/wire.hpp"

namespace tern::dom0::xenstored {

// A page shared with the other side, mapped for as long as the object lives.
class SharedPage {
  public:
    virtual ~SharedPage() = default;
    virtual XenstoreDomainInterface& interface() = 0;
};

// One end of an event channel.
class EventChannel {
  public:
    virtual ~EventChannel() = default;
    // Signals the other side.
    virtual void notify() = 0;
    // Readable when the other side signalled us, or -1 if notifications arrive another way.
    virtual int fd() const = 0;
    // Consumes a pending notification and re-enables the next one.
    virtual void acknowledge() {}
};

class RingTransport : public Transport {
  public:
    // Takes the page and the channel; announces the server's features and a connected state,
    // and notifies the peer once.
    RingTransport(std::unique_ptr<SharedPage> page, std::unique_ptr<EventChannel> channel,
                  std::string description);

    IoResult read(std::span<char> out) override;
    IoResult write(std::span<const char> in) override;
    int event_fd() const override { return channel_->fd(); }
    void acknowledge_event() override { channel_->acknowledge(); }
    std::string describe() const override { return description_; }

    // Marks the ring broken (a protocol violation) in the page's error field.
    void report_error(std::uint32_t error);

  private:
    std::unique_ptr<SharedPage> page_;
    std::unique_ptr<EventChannel> channel_;
    std::string description_;
};

}  // namespace tern::dom0::xenstored
