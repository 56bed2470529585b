// VmConfig: the neutral description of one VM that both config formats (classic key = value
// files and the XML format) produce and that `xm create` / `xm new` turn into XenAPI calls.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tern::cli {

// One disk: a backing store (the classic "uname", e.g. "phy:/dev/vg0/d1" or "file:/img") seen
// by the guest as `device`.
struct DiskConfig {
    std::string source;    // TYPE:PATH as written (phy:, file:, tap:aio:, ...)
    std::string device;    // xvda, hda, sda1 ... without the ":cdrom" suffix
    bool writable = true;  // mode "w" or "w!" (classic), "RW" (XML)
    bool cdrom = false;    // "hdc:cdrom" (classic), type="CD" (XML)
    bool bootable = true;
    std::string backend_domain;  // optional fourth field of a classic disk entry
    std::string label;           // the VDI's name (XML <vdi><name><label>), may be empty
    std::int64_t size = -1;      // the VDI's size in bytes; -1 = the backing store's own size
};

// One network interface.
struct VifConfig {
    std::string mac;  // empty = the server picks one
    std::string bridge;
    std::string device;  // eth0 ...; empty = by position
    std::string ip;
    std::string vifname;
    std::string model;
    std::string script;
    std::string rate;
    std::string backend;
    std::int64_t mtu = 1500;
};

struct VmConfig {
    static constexpr std::int64_t kMiB = 1024 * 1024;

    std::string name;
    std::string description;
    std::string uuid;
    // Boot: PV kernel or bootloader.
    std::string kernel;
    std::string ramdisk;
    std::string root;   // classic `root`: becomes "root=<root>" on the command line
    std::string extra;  // classic `extra`, XML pv args
    std::string bootloader;
    std::string bootloader_args;
    // Memory in bytes.
    std::int64_t memory_static_min = 0;
    std::int64_t memory_static_max = 128 * kMiB;
    std::int64_t memory_dynamic_min = 128 * kMiB;
    std::int64_t memory_dynamic_max = 128 * kMiB;
    std::int64_t vcpus_max = 1;
    std::int64_t vcpus_at_startup = 1;
    std::string cpus;  // pCPU affinity, "0-3,^2"
    std::optional<std::int64_t> cpu_weight;
    std::optional<std::int64_t> cpu_cap;
    // Exit actions, in XenAPI spelling.
    std::string on_poweroff = "destroy";
    std::string on_reboot = "restart";
    std::string on_crash = "restart";
    std::vector<DiskConfig> disks;
    std::vector<VifConfig> vifs;
    std::map<std::string, std::string> platform;
    std::map<std::string, std::string> vcpu_params;
    std::map<std::string, std::string> other_config;

    // The kernel command line: "root=<root> <extra>" as xm builds it.
    std::string kernel_args() const;
    // VCPUs_params for the API: vcpu_params plus weight, cap and the cpumap of `cpus`.
    std::map<std::string, std::string> api_vcpu_params() const;
};

}  // namespace tern::cli
