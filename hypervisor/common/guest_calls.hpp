// Defines the handlers of the calls a guest makes with HVC: Xen hypercalls (HVC #0xEA1,
// number in x16, arguments in x0-x4, result in x0) and SMCCC firmware calls (HVC #0 or a
// trapped SMC: PSCI and the Arm architecture services, function id in w0, results in x0-x3).
// They read and change the trapped vCPU's general registers x0-x30.
#pragma once

#include <cstdint>

#include "lib/format.hpp"

namespace tern::hv {

class Console;
class MachineMemory;
class ControlPlane;
class Dom0Memory;
class VcpuPower;
struct SchedDomain;
class EventChannels;

void set_guest_console(Console* console);
// Where the pages the hypervisor shares with dom0 (shared_info, grant frames) come from.
void set_guest_pages(MachineMemory* pages);
// Tern's control ABI (hypercall 36), for dom0.
void set_guest_control(ControlPlane* control);
// dom0's balloon and foreign mappings (memory_op decrease_reservation, add_to_physmap_batch,
// remove_from_physmap).
void set_guest_dom0_memory(Dom0Memory* memory);
// dom0's vCPUs (their MPIDRs) and its scheduling state, for PSCI CPU_ON, CPU_OFF and
// AFFINITY_INFO: its vCPUs start and stop in the scheduler like any domain's.
void set_guest_vcpus(VcpuPower* vcpus, SchedDomain* sched);
// dom0's event channels.
void set_guest_events(EventChannels* events);
// The console's input interrupt: dom0 is told through VIRQ_CONSOLE and reads with
// CONSOLEIO_read, which lets the next keystroke interrupt again.
void console_input_interrupt();
// What the calls share (null until set).
Console* guest_console();
VcpuPower* guest_vcpus();
SchedDomain* guest_dom0_sched();
void handle_hypercall(std::uint64_t* x);
void handle_smccc(std::uint64_t* x);

}  // namespace tern::hv
