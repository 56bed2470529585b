// Defines VmLifecycle: the VM messages that move a VM between Halted, Paused, Running and
// Suspended (start, pause, unpause, clean/hard shutdown and reboot, suspend, resume,
// power_state_reset) and the live changes of a running VM, over the Backend interface.
//
// Every message takes the VM's operation slot (operation_slot.hpp), calls the backend with
// no store lock held, and records the outcome with the slot's release in one transaction.
// Suspend images are files in the state directory (suspend/<uuid>.img).
#pragma once

#include <chrono>

#include "handlers_generated.hpp"
#include "records_generated.hpp"

namespace tern::xapi {

struct LifecycleOptions {
    // How long clean_shutdown and clean_reboot wait for the guest.
    std::chrono::milliseconds shutdown_timeout{std::chrono::minutes(2)};
};

class VmLifecycle : public VMMessages {
  public:
    explicit VmLifecycle(LifecycleOptions options) : options_(options) {}

    rpc::Value start(CallContext& ctx, const Ref& vm, bool start_paused, bool force) override;
    rpc::Value pause(CallContext& ctx, const Ref& vm) override;
    rpc::Value unpause(CallContext& ctx, const Ref& vm) override;
    rpc::Value clean_shutdown(CallContext& ctx, const Ref& vm) override;
    rpc::Value clean_reboot(CallContext& ctx, const Ref& vm) override;
    rpc::Value hard_shutdown(CallContext& ctx, const Ref& vm) override;
    rpc::Value hard_reboot(CallContext& ctx, const Ref& vm) override;
    rpc::Value suspend(CallContext& ctx, const Ref& vm) override;
    rpc::Value resume(CallContext& ctx, const Ref& vm, bool start_paused, bool force) override;
    rpc::Value power_state_reset(CallContext& ctx, const Ref& vm) override;
    // 1.0's migration to another host's address: the domain leaves, the VM is no longer
    // resident here (Halted in this host's database).
    rpc::Value migrate(CallContext& ctx, const Ref& vm, const std::string& dest, bool live,
                       const rpc::Value& options) override;
    // Within the pool, which is this one host: a migration to itself keeps the VM running.
    rpc::Value pool_migrate(CallContext& ctx, const Ref& vm, const Ref& host,
                            const rpc::Value& options) override;

    rpc::Value set_VCPUs_number_live(CallContext& ctx, const Ref& self,
                                     std::int64_t nvcpu) override;
    rpc::Value add_to_VCPUs_params_live(CallContext& ctx, const Ref& self, const std::string& key,
                                        const std::string& value) override;
    rpc::Value set_memory_dynamic_range(CallContext& ctx, const Ref& self, std::int64_t min,
                                        std::int64_t max) override;
    rpc::Value set_memory_dynamic_max_live(CallContext& ctx, const Ref& self,
                                           std::int64_t max) override;
    rpc::Value set_memory_dynamic_min_live(CallContext& ctx, const Ref& self,
                                           std::int64_t min) override;

    // Through the backend, to a running guest; a key is one character, a trigger one of nmi,
    // reset, init, power, sleep (INVALID_VALUE otherwise).
    rpc::Value send_sysrq(CallContext& ctx, const Ref& vm, const std::string& key) override;
    rpc::Value send_trigger(CallContext& ctx, const Ref& vm, const std::string& trigger) override;

    rpc::Value clone(CallContext& ctx, const Ref& vm, const std::string& new_name) override;
    rpc::Value copy(CallContext& ctx, const Ref& vm, const std::string& new_name,
                    const Ref& sr) override;
    rpc::Value provision(CallContext& ctx, const Ref& vm) override;

  private:
    // Destroys the domain, then builds and runs a new one (the reboots).
    void reboot(CallContext& ctx, const Ref& vm, bool clean);
    rpc::Value copy_vm(CallContext& ctx, const Ref& vm, const std::string& new_name,
                       VmOperations op, const Ref& sr);

    LifecycleOptions options_;
};

}  // namespace tern::xapi
