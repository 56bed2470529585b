// FakeXenApi: an in-memory XenApi for command tests. It keeps VMs, devices, VDIs, SRs and
// networks in vectors, records every call by name, and can be told to fail a call.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "api/xen_api.hpp"

namespace tern::cli {

class FakeXenApi : public XenApi {
  public:
    FakeXenApi();

    // Adds a running VM with the given figures and returns its ref.
    std::string add_running_vm(const std::string& name, std::int64_t domid, std::int64_t mib,
                               std::int64_t vcpus);

    std::vector<std::string> calls;              // "VM.start OpaqueRef:vm1", ...
    std::map<std::string, ApiFailure> failures;  // call name -> failure to throw
    std::vector<VmRecord> vms_;
    std::vector<VbdRecord> vbds_;
    std::vector<VifRecord> vifs_;
    std::vector<VdiRecord> vdis_;
    std::vector<SrRecord> srs_;
    std::vector<NetworkRecord> networks_;
    std::vector<TaskRecord> tasks_;  // returned in turn by task()
    HostRecord host_;
    std::string dmesg_ = "(XEN) Tern booted\n";
    std::string console_text_;  // when set, console_connect serves it and closes

    std::vector<VmRecord> vms() override;
    VmRecord vm(const std::string& ref) override;
    std::string vm_create(const VmConfig& config, bool transient) override;
    void vm_destroy(const std::string& vm) override;
    void vm_operation(const std::string& vm, VmOperation operation) override;
    void vm_set_name(const std::string& vm, const std::string& name) override;
    void vm_set_memory_dynamic_live(const std::string& vm, std::int64_t bytes) override;
    void vm_set_memory_static_max(const std::string& vm, std::int64_t bytes) override;
    void vm_set_vcpus_live(const std::string& vm, std::int64_t count) override;
    void vm_add_vcpus_param_live(const std::string& vm, const std::string& key,
                                 const std::string& value) override;
    void vm_dump_core(const std::string& vm, const std::string& file, bool live,
                      bool crash) override;
    std::string vm_save_async(const std::string& vm, const std::string& file,
                              bool checkpoint) override;
    std::string vm_restore_async(const std::string& file, bool paused) override;
    std::string vm_migrate_async(const std::string& vm, const std::string& destination,
                                 bool live) override;
    std::vector<VbdRecord> vbds_of(const std::string& vm) override;
    std::string vbd_create(const std::string& vm, const std::string& vdi, const std::string& device,
                           bool writable, bool cdrom, bool bootable) override;
    void vbd_destroy(const std::string& vbd) override;
    std::vector<VifRecord> vifs_of(const std::string& vm) override;
    std::string vif_create(const std::string& vm, const std::string& network,
                           const std::string& device, const std::string& mac,
                           std::int64_t mtu) override;
    void vif_destroy(const std::string& vif) override;
    std::vector<VdiRecord> vdis() override;
    std::string vdi_create(const std::string& sr, const std::string& name, std::int64_t size,
                           bool sharable, bool read_only, const StringMap& other_config) override;
    void vdi_destroy(const std::string& vdi) override;
    std::string vdi_copy_async(const std::string& vdi, const std::string& sr) override;
    std::vector<SrRecord> srs() override;
    std::vector<NetworkRecord> networks() override;
    std::vector<ConsoleRecord> consoles_of(const std::string& vm) override;
    HostRecord host() override;
    std::string host_dmesg(bool clear) override;
    std::string host_log() override;
    int console_connect(const std::string& location) override;
    TaskRecord task(const std::string& task) override;
    void task_destroy(const std::string& task) override;

  private:
    void call(const std::string& name, const std::string& detail = "");
    VmRecord& find_vm(const std::string& ref);
    int next_ = 0;
};

}  // namespace tern::cli
