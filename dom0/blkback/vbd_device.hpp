// Defines VbdDevice, one virtual block device as dom0's backend serves it: the xenbus backend
// protocol for vbd devices (Xen's docs/misc/xenstore-paths and io/blkif.h) over the device's
// backend directory /local/domain/0/backend/vbd/<domid>/<devid> and the guest's frontend
// directory, and the guest's ring once connected.
//
// update() re-reads both sides and takes the step that is due, so the daemon may call it as
// often as it likes (after any watch event):
//   backend Initialising: the image is opened, its size and features written -> InitWait
//   frontend Initialised or Connected: its ring mapped, its event channel bound -> Connected
//   frontend Closing or Closed, or gone: ring unmapped, channel closed, image flushed -> Closed
//   frontend Initialising again after that: -> InitWait (the guest reconnects)
//   `online` 0 (the toolstack tears the device down): as on close, then Closed
// The image is closed when the object goes (the backend directory was removed).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "diskimage/disk_image.hpp"
#include "dom0/blkback/back_ring.hpp"
#include "dom0/blkback/request_processor.hpp"
#include "dom0/blkback/segment_mapper.hpp"
#include "xenstored/ring_transport.hpp"
#include "xenstored/xenstore_client.hpp"

namespace tern::dom0::blkback {

// Xen's enum xenbus_state.
enum class XenbusState : int {
    kUnknown = 0,
    kInitialising = 1,
    kInitWait = 2,
    kInitialised = 3,
    kConnected = 4,
    kClosing = 5,
    kClosed = 6,
};

// Binds dom0's end of an interdomain event channel to (domain, port); throws on failure.
using ChannelBinder = std::function<std::unique_ptr<xenstored::EventChannel>(std::uint32_t domain,
                                                                             std::uint32_t port)>;
using DeviceLogger = std::function<void(const std::string&)>;

class VbdDevice {
  public:
    VbdDevice(std::uint32_t domain, std::uint32_t devid, xenstored::XenstoreClient& store,
              SegmentMapper& mapper, ChannelBinder binder, DeviceLogger logger);
    ~VbdDevice();
    VbdDevice(const VbdDevice&) = delete;
    VbdDevice& operator=(const VbdDevice&) = delete;

    // Takes the step the two sides' states call for. False once the backend directory is
    // gone (the device is torn down and may be dropped).
    bool update();
    // The ring's event channel, -1 when not connected.
    int event_fd() const { return channel_ ? channel_->fd() : -1; }
    // The guest signalled: serve every request on its ring.
    void on_event();
    // Serves whatever is on the ring (also called now and then in case a signal was lost).
    void service();

    bool connected() const { return ring_.has_value(); }
    const std::string& backend_path() const { return backend_; }

  private:
    std::optional<std::string> read(const std::string& path);
    void write_state(XenbusState state);
    bool open_image();
    bool advertise();
    bool connect();
    void disconnect(const char* why);

    std::uint32_t domain_;
    std::uint32_t devid_;
    xenstored::XenstoreClient& store_;
    SegmentMapper& mapper_;
    ChannelBinder binder_;
    DeviceLogger logger_;
    std::string backend_;
    std::string frontend_;
    XenbusState state_ = XenbusState::kInitialising;
    bool read_only_ = false;
    std::unique_ptr<diskimage::DiskImage> image_;
    std::unique_ptr<RequestProcessor> processor_;
    std::unique_ptr<MappedPages> ring_pages_;
    std::optional<BackRing> ring_;
    std::unique_ptr<xenstored::EventChannel> channel_;
    bool reported_broken_ = false;
};

}  // namespace tern::dom0::blkback
