// Defines BlkbackDaemon, tern-blkback's loop: it follows xenstore (a watch on /local/domain,
// so that both the toolstack's backend directories under /local/domain/0/backend/vbd and the
// guests' frontend directories wake it), keeps one VbdDevice per backend directory and lets
// each take its next step after every change, and serves each connected device's ring when
// its event channel fires. One poll loop serves every device; requests are done one at a
// time, in ring order, so a guest's writes land in the order it sent them.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "dom0/blkback/segment_mapper.hpp"
#include "dom0/blkback/vbd_device.hpp"
#include "xenstored/unique_fd.hpp"
#include "xenstored/xenstore_client.hpp"

namespace tern::dom0::blkback {

struct DaemonOptions {
    std::string xenstore_socket;
    bool verbose = false;
};

class BlkbackDaemon {
  public:
    // Throws std::runtime_error when xenstored cannot be reached.
    BlkbackDaemon(SegmentMapper& mapper, ChannelBinder binder, DaemonOptions options);
    ~BlkbackDaemon();
    BlkbackDaemon(const BlkbackDaemon&) = delete;
    BlkbackDaemon& operator=(const BlkbackDaemon&) = delete;

    // Serves until SIGINT or SIGTERM (0) or until xenstored goes away (1).
    int run();

  private:
    using DeviceKey = std::pair<std::uint32_t, std::uint32_t>;  // domain, devid
    void rescan();
    void log(const std::string& line) const;

    SegmentMapper& mapper_;
    ChannelBinder binder_;
    DaemonOptions options_;
    xenstored::XenstoreClient store_;
    xenstored::UniqueFd wake_read_;
    xenstored::UniqueFd wake_write_;
    std::map<DeviceKey, std::unique_ptr<VbdDevice>> devices_;
};

}  // namespace tern::dom0::blkback
