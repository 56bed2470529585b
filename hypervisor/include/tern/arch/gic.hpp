// Declares the arch hooks for the physical GICv3 the hypervisor drives at EL2 (Arm IHI 0069)
// and for the virtual CPU interface that presents a Vgic to the vCPU running on this CPU.
//
// The hypervisor owns the physical GIC: every SPI is group 1, priority 0xa0, routed where a
// guest's configuration says; the CPU interface runs with EOImode = 1, so that acknowledging
// and dropping the priority of a guest's interrupt leaves it active until the guest
// deactivates it through a list register with the HW bit.
#pragma once

#include <cstdint>

namespace tern::lib {
class Sink;
}

namespace tern::hv {
class Vgic;
}

namespace tern::arch {

// The hypervisor's own interrupts.
inline constexpr std::uint32_t kKickSgi = 0;          // "look at your vCPU's pending interrupts"
inline constexpr std::uint32_t kMaintenancePpi = 25;  // the virtual interface's maintenance

// Boot CPU, once: the distributor, with every SPI disabled.
void gic_init_distributor(std::uint64_t distributor, std::uint64_t redistributors,
                          std::uint64_t redistributors_size);
// Every CPU: its redistributor awake, its CPU interface and virtual CPU interface on.
void gic_init_cpu();
// How many INTIDs the distributor has (32 × (ITLinesNumber + 1), at most 1020).
std::uint32_t gic_nr_irqs();

void gic_enable_spi(std::uint32_t intid, bool enabled);
void gic_route_spi(std::uint32_t intid, std::uint64_t mpidr);
void gic_set_spi_edge(std::uint32_t intid, bool edge);
// Enables or disables a PPI in the redistributor of the CPU with this MPIDR.
void gic_enable_ppi(std::uint64_t mpidr, std::uint32_t intid, bool enabled);
// Disables a PPI in that CPU's redistributor and clears its pending and active state (a
// guest that leaves the CPU may not have deactivated its timer's interrupt).
void gic_reset_ppi(std::uint64_t mpidr, std::uint32_t intid);
// Sends SGI `intid` to the CPU with this MPIDR.
void gic_send_sgi(std::uint64_t mpidr, std::uint32_t intid);

// An SPI the hypervisor keeps (its console UART's): enabled, level, routed to this CPU, and
// `handler` called when it fires.
void set_hypervisor_irq(std::uint32_t intid, void (*handler)());
// The Vgic of the guest whose vCPU `vcpu` runs on this CPU (its list registers are filled
// from it on every return to the guest).
void set_cpu_vcpu(hv::Vgic* vgic, std::uint32_t vcpu);
// The Vgic whose hardware-backed SPIs (dom0's devices') are taken on whichever CPU the GIC
// delivers them to: handed to its target vCPU wherever that runs (or waits), they stay active
// until its EOI through the HW list register deactivates them.
void set_hardware_interrupt_vgic(hv::Vgic* vgic);
// A physical IRQ was taken from the guest: acknowledge everything pending, hand the guest's
// interrupts to its Vgic, handle the hypervisor's own.
void handle_irq_from_guest();
// Debugging: this CPU prints its virtual interface's state now, the others when they next
// take an interrupt.
void request_vgic_dump(lib::Sink* sink);
// Before returning to the guest: retire finished list registers, fill free ones.
void flush_list_registers();

}  // namespace tern::arch
