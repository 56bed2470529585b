// Defines GuestConfig and parse_guest_config: the small domain description tern-ctl builds
// from, in the key = value form of xl's config files:
//   name = "busybox"        kernel = "/lib/tern/Image"      ramdisk = "/lib/tern/initrd"
//   extra = "console=hvc0"  memory = 64   (MiB)            vcpus = 1
//   disk = [ "file:/srv/root.img,xvda,w", "qcow2:/srv/data.qcow2,xvdb,r" ]  (disk_spec.hpp)
//   vif = [ "mac=00:16:3e:00:00:01,bridge=xenbr0" ]                         (vif_spec.hpp)
// Strings are double-quoted, numbers are decimal, lists are bracketed and may span lines; '#'
// starts a comment. A mistake is a ConfigError naming the file, line and column and what was
// expected.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "dom0/builder/disk_spec.hpp"
#include "dom0/builder/vif_spec.hpp"

namespace tern::dom0 {

struct GuestConfig {
    std::string name;
    std::string kernel;
    std::string ramdisk;  // empty: none
    std::string extra;    // the kernel command line
    std::uint64_t memory_mib = 0;
    std::uint32_t vcpus = 1;
    std::vector<DiskSpec> disks;
    std::vector<VifSpec> vifs;              // devid = index
    std::array<std::uint8_t, 16> handle{};  // the toolstack's uuid for the domain (not in files)
};

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// `text` is the file's contents, `file` its name for messages.
GuestConfig parse_guest_config(const std::string& text, const std::string& file);

}  // namespace tern::dom0
