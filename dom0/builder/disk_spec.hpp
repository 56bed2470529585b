// Defines DiskSpec and parse_disk_spec: one entry of a guest config's `disk` list, in xm's
// form "TARGET,VDEV,MODE":
//   TARGET  the image, with its format as a prefix: file:, raw: or tap:aio: (raw), qcow2: or
//           tap:qcow2: (qcow2); a bare path is raw. A raw image is never probed, so a guest
//           cannot turn its disk into a qcow2 header that names another file.
//   VDEV    xvda .. xvdp (the guest's /dev/xvdX; device number 202 << 8 | index << 4)
//   MODE    w (or rw, w!) writable, r (or ro) read-only
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tern::dom0 {

struct DiskSpec {
    std::string path;
    std::string format;  // "raw" or "qcow2"
    std::string vdev;    // "xvda"
    std::uint32_t devid = 0;
    bool writable = false;
};

// Throws std::invalid_argument saying what is wrong with `text`.
DiskSpec parse_disk_spec(std::string_view text);

}  // namespace tern::dom0
