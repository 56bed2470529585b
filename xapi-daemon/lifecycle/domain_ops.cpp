// Shared life-cycle steps.
#include "lifecycle/domain_ops.hpp"

#include <iostream>

#include "api/call_context.hpp"
#include "api/marshal.hpp"
#include "lifecycle/domain_config_builder.hpp"
#include "lifecycle/vm_state_writer.hpp"
#include "store/object_store.hpp"

namespace tern::xapi {

Outcome<DomainInfo> boot_domain(ApiState& state, const std::string& vm, bool paused,
                                const OperationControl& op) {
    Backend& backend = *state.backend;
    const DomainConfig config = domain_config_of(state.store, vm);
    OperationControl build_control{
        [&op](double f) { op.progress(0.9 * f); },
        op.cancelled,
    };
    auto built = backend.build(config, build_control);
    if (!built)
        return built.error();
    const DomainId id = built.value();
    if (!paused) {
        if (auto run = backend.unpause(id); !run) {
            (void)backend.destroy(id);
            return run.error();
        }
    }
    auto info = backend.domain_info(id);
    if (!info)
        return BackendError{"INTERNAL_ERROR", {"the new domain vanished"}};
    return *info;
}

std::filesystem::path suspend_image_of(const ApiState& state, const std::string& uuid) {
    return state.state_dir / "suspend" / (uuid + ".img");
}

std::filesystem::path core_dump_of(const ApiState& state, const std::string& uuid) {
    return state.state_dir / "crashdumps" / (uuid + ".core");
}

rpc::DateTime now_of(const ApiState& state) {
    return format_datetime(state.clock());
}

void refresh_host_metrics(ApiState& state) {
    const HostInfo info = state.backend->host_info();
    try {
        state.store.transact([&](Transaction& txn) {
            record_host_metrics(txn, state.host_ref, info, now_of(state));
        });
    } catch (const std::exception& e) {
        std::cerr << "xapid: cannot record the host's metrics: " << e.what() << "\n";
    }
}

}  // namespace tern::xapi
