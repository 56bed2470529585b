// The records xm reads from the server, in the shape its commands need; the binding adapter
// fills them from the generated typed records.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tern::cli {

using StringMap = std::map<std::string, std::string>;

struct VmRecord {
    std::string ref;
    std::string uuid;
    std::string name;
    std::string description;
    std::string power_state;  // Halted, Paused, Running, Suspended
    std::int64_t domid = -1;
    bool is_control_domain = false;
    bool is_a_template = false;
    std::int64_t memory_actual = 0;  // bytes, from VM_metrics
    std::int64_t memory_static_max = 0;
    std::int64_t memory_dynamic_min = 0;
    std::int64_t memory_dynamic_max = 0;
    std::int64_t vcpus_max = 0;
    std::int64_t vcpus_at_startup = 0;
    std::int64_t vcpus_number = 0;  // online now, from VM_metrics
    std::map<std::int64_t, double> vcpus_utilisation;
    std::optional<double> cpu_time;  // seconds, VM_metrics other_config:cpu_time (xapid's)
    std::map<std::int64_t, std::int64_t> vcpus_cpu;  // vCPU -> pCPU it last ran on
    StringMap vcpus_params;
    std::vector<std::string> state_flags;  // running, blocked, paused, shutdown, crashed, dying
    std::string start_time;                // ISO 8601, empty when not running
    std::string pv_kernel;
    std::string pv_args;
    std::string actions_after_shutdown;
    std::string actions_after_reboot;
    std::string actions_after_crash;
    StringMap other_config;
    std::vector<std::string> vbds;
    std::vector<std::string> vifs;
    std::vector<std::string> consoles;
};

struct VbdRecord {
    std::string ref;
    std::string uuid;
    std::string vm;
    std::string vdi;
    std::string device;
    std::string mode;  // RO, RW
    std::string type;  // Disk, CD
    bool bootable = false;
    bool currently_attached = false;
};

struct VifRecord {
    std::string ref;
    std::string uuid;
    std::string vm;
    std::string network;
    std::string device;
    std::string mac;
    std::int64_t mtu = 0;
    bool currently_attached = false;
};

struct VdiRecord {
    std::string ref;
    std::string uuid;
    std::string name;
    std::string sr;
    std::string type;
    std::int64_t virtual_size = 0;
    std::int64_t physical_utilisation = 0;
    bool sharable = false;
    bool read_only = false;
    std::string location;
    std::vector<std::string> vbds;
};

struct SrRecord {
    std::string ref;
    std::string uuid;
    std::string name;
    std::string type;
    std::int64_t physical_size = 0;
    std::int64_t physical_utilisation = 0;
    std::vector<std::string> vdis;
};

struct NetworkRecord {
    std::string ref;
    std::string uuid;
    std::string name;
    std::string bridge;
};

struct ConsoleRecord {
    std::string ref;
    std::string protocol;
    std::string location;
};

struct HostRecord {
    std::string ref;
    std::string uuid;
    std::string name;
    std::string hostname;
    std::string address;
    std::string sched_policy;
    std::int64_t api_version_major = 0;
    std::int64_t api_version_minor = 0;
    std::string api_vendor;
    StringMap software_version;
    StringMap cpu_info;
    std::int64_t cpu_count = 0;
    std::int64_t memory_total = 0;  // bytes, from host_metrics
    std::int64_t memory_free = 0;
    std::vector<std::string> capabilities;
};

struct TaskRecord {
    std::string ref;
    std::string status;  // pending, success, failure, cancelling, cancelled
    double progress = 0;
    std::string result;
    std::vector<std::string> error_info;
};

}  // namespace tern::cli
