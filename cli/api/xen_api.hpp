// XenApi: the calls xm makes, as one small interface. The real implementation sits on the
// generated C++ binding (binding_xen_api.cpp); unit tests use an in-memory fake. Every method
// throws ApiFailure when the server answers with a XenAPI error.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/records.hpp"
#include "config/vm_config.hpp"

namespace tern::cli {

// A XenAPI failure: the error code and its parameters as the server sent them.
class ApiFailure : public std::runtime_error {
  public:
    ApiFailure(std::string code, std::vector<std::string> params)
        : std::runtime_error(code), code_(std::move(code)), params_(std::move(params)) {}
    const std::string& code() const { return code_; }
    const std::vector<std::string>& params() const { return params_; }

  private:
    std::string code_;
    std::vector<std::string> params_;
};

// The power operations that take only the VM.
enum class VmOperation {
    kStart,
    kStartPaused,
    kCleanShutdown,
    kCleanReboot,
    kHardShutdown,
    kPause,
    kUnpause,
    kSuspend,
    kResume,
    kResumePaused,
};

class XenApi {
  public:
    virtual ~XenApi() = default;

    // VMs, each with its VM_metrics merged in; templates included (callers filter).
    virtual std::vector<VmRecord> vms() = 0;
    virtual VmRecord vm(const std::string& ref) = 0;
    // VM.create from a config (no devices); `transient` marks an `xm create` VM.
    virtual std::string vm_create(const VmConfig& config, bool transient) = 0;
    virtual void vm_destroy(const std::string& vm) = 0;
    virtual void vm_operation(const std::string& vm, VmOperation operation) = 0;
    virtual void vm_set_name(const std::string& vm, const std::string& name) = 0;
    virtual void vm_set_memory_dynamic_live(const std::string& vm, std::int64_t bytes) = 0;
    virtual void vm_set_memory_static_max(const std::string& vm, std::int64_t bytes) = 0;
    virtual void vm_set_vcpus_live(const std::string& vm, std::int64_t count) = 0;
    virtual void vm_add_vcpus_param_live(const std::string& vm, const std::string& key,
                                         const std::string& value) = 0;
    // VM.dump_core(vm, file, live, crash): xend's core dump, sent as a raw call because the
    // XenAPI schema has no such message (a server without it answers MESSAGE_METHOD_UNKNOWN).
    virtual void vm_dump_core(const std::string& vm, const std::string& file, bool live,
                              bool crash) = 0;
    // Long operations: each returns the task that tracks it.
    virtual std::string vm_save_async(const std::string& vm, const std::string& file,
                                      bool checkpoint) = 0;
    virtual std::string vm_restore_async(const std::string& file, bool paused) = 0;
    virtual std::string vm_migrate_async(const std::string& vm, const std::string& destination,
                                         bool live) = 0;

    // Devices and storage.
    virtual std::vector<VbdRecord> vbds_of(const std::string& vm) = 0;
    virtual std::string vbd_create(const std::string& vm, const std::string& vdi,
                                   const std::string& device, bool writable, bool cdrom,
                                   bool bootable) = 0;
    virtual void vbd_destroy(const std::string& vbd) = 0;
    virtual std::vector<VifRecord> vifs_of(const std::string& vm) = 0;
    virtual std::string vif_create(const std::string& vm, const std::string& network,
                                   const std::string& device, const std::string& mac,
                                   std::int64_t mtu) = 0;
    virtual void vif_destroy(const std::string& vif) = 0;
    virtual std::vector<VdiRecord> vdis() = 0;
    virtual std::string vdi_create(const std::string& sr, const std::string& name,
                                   std::int64_t size, bool sharable, bool read_only,
                                   const StringMap& other_config) = 0;
    virtual void vdi_destroy(const std::string& vdi) = 0;
    // Copies a VDI into an SR; the task's result names the copy.
    virtual std::string vdi_copy_async(const std::string& vdi, const std::string& sr) = 0;
    virtual std::vector<SrRecord> srs() = 0;
    virtual std::vector<NetworkRecord> networks() = 0;
    virtual std::vector<ConsoleRecord> consoles_of(const std::string& vm) = 0;

    // The host this session is on.
    virtual HostRecord host() = 0;
    virtual std::string host_dmesg(bool clear) = 0;
    virtual std::string host_log() = 0;

    // A byte stream to the console at `location` (a console record's location), as a file
    // descriptor the caller owns; throws ApiFailure or std::runtime_error when the server does
    // not serve it.
    virtual int console_connect(const std::string& location) = 0;

    // Tasks.
    virtual TaskRecord task(const std::string& task) = 0;
    virtual void task_destroy(const std::string& task) = 0;
};

// Where and as whom to connect.
struct ConnectionSettings;

// Opens a session (login included) per `settings`; defined by the binding adapter.
std::unique_ptr<XenApi> connect_xen_api(const ConnectionSettings& settings);

}  // namespace tern::cli
