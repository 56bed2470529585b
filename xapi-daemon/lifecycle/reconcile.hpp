// Defines reconcile_with_backend: at start-up, xapid asks the backend what runs and makes every
// VM agree with it, so that nothing is lost or left orphaned after a restart of xapid:
// - a VM whose domain (found by the VM's uuid, the domain's handle) still exists keeps it:
//   power state, domid and metrics follow the domain;
// - a VM that was Running or Paused without a domain now is Halted (with the `sim` backend
//   every domain is gone after a restart, as after a reboot of a real host, so every running
//   VM comes back Halted);
// - a Suspended VM whose image is missing is Halted;
// - a Halted VM whose domain exists is adopted (Running or Paused);
// - a domain of no known VM is reported on stderr and left alone, never killed;
// - operations and tasks that were in flight when xapid stopped are over: current_operations
//   are cleared and pending tasks fail with INTERNAL_ERROR.
#pragma once

namespace tern::xapi {

struct ApiState;

void reconcile_with_backend(ApiState& state);

// Takes the backend's current figures (memory, vCPUs, utilisation) into VM_metrics and
// host_metrics.
void refresh_metrics(ApiState& state);

}  // namespace tern::xapi
