// Defines Vgic: the virtual GICv3 a domain sees (Arm IHI 0069): its distributor and one
// redistributor per vCPU, emulated register by register when the guest touches them (their
// pages are not mapped in its stage 2), and the state of every interrupt it can receive:
// enabled, pending, priority, trigger, target vCPU. The CPU interface is the hardware's own
// virtual interface (ICV_* registers, list registers): the arch code asks take_pending() what
// to put in the list registers and reports what the hardware hands it (a physical interrupt
// that belongs to the guest).
//
// Hardware-backed interrupts (the guest's devices' SPIs, the timer PPIs) follow the guest's
// configuration on the physical GIC through VgicHost: enabling one enables the physical one,
// routing an SPI to a vCPU routes it to that vCPU's physical CPU. They are injected with the
// list register's HW bit, so that the guest's EOI deactivates the physical interrupt.
//
// There are no LPIs (GICD_TYPER.LPIS = 0) and no ITS; affinity routing is always on.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "lib/spinlock.hpp"

namespace tern::hv {

// What the Vgic asks of the physical GIC and of the CPUs running the vCPUs.
class VgicHost {
  public:
    // Enable or disable a hardware-backed interrupt: an SPI, or vCPU `vcpu`'s PPI.
    virtual void set_physical_enabled(std::uint32_t intid, std::uint32_t vcpu, bool enabled) = 0;
    // Route a hardware-backed SPI to the physical CPU of vCPU `vcpu`.
    virtual void route_physical(std::uint32_t intid, std::uint32_t vcpu) = 0;
    // Set a hardware-backed SPI edge-triggered (true) or level-sensitive (false).
    virtual void set_physical_edge(std::uint32_t intid, bool edge) = 0;
    // Make vCPU `vcpu` look at its pending interrupts soon (it may run on another CPU).
    virtual void kick(std::uint32_t vcpu) = 0;

  protected:
    ~VgicHost() = default;
};

class Vgic {
  public:
    static constexpr std::uint32_t kMaxVcpus = 8;
    static constexpr std::uint32_t kMaxIrqs = 256;  // INTIDs 0-255: SGIs, PPIs and 224 SPIs
    static constexpr std::uint64_t kDistSize = 0x10000;
    static constexpr std::uint64_t kRedistStride = 0x20000;  // RD frame + SGI frame

    struct Pending {
        std::uint32_t intid;
        std::uint8_t priority;
        bool hw;  // hardware-backed: pINTID = vINTID
    };

    // `mpidrs` are the vCPUs' MPIDRs; `nr_irqs` how many INTIDs the distributor has (a
    // multiple of 32, at most kMaxIrqs); `hw_spis` says which SPIs are hardware-backed
    // (bit per INTID), `hw_ppis` which PPIs (bit per INTID 16-31).
    Vgic(std::uint32_t vcpus, const std::uint64_t* mpidrs, std::uint32_t nr_irqs,
         const std::array<std::uint32_t, kMaxIrqs / 32>& hw_spis, std::uint32_t hw_ppis,
         VgicHost& host);

    std::uint32_t vcpus() const { return vcpus_; }
    std::uint32_t nr_irqs() const { return nr_irqs_; }

    // MMIO: `offset` within the distributor / within the redistributor region (all vCPUs'
    // frames, kRedistStride apart); `size` 1, 2, 4 or 8 bytes. False for an access the GIC
    // does not allow (the guest gets an abort); reads of unknown registers are 0.
    bool dist_read(std::uint64_t offset, unsigned size, std::uint64_t& value);
    bool dist_write(std::uint64_t offset, unsigned size, std::uint64_t value);
    bool redist_read(std::uint64_t offset, unsigned size, std::uint64_t& value);
    bool redist_write(std::uint64_t offset, unsigned size, std::uint64_t value);

    // The guest wrote ICC_SGI1R_EL1 on vCPU `from`.
    void write_sgi1r(std::uint32_t from, std::uint64_t value);

    // A virtual interrupt becomes pending: an SGI or PPI of `vcpu`, or an SPI (vcpu ignored;
    // it goes to its target). Returns false for an INTID the guest does not have.
    bool raise(std::uint32_t vcpu, std::uint32_t intid);

    // Up to `max` enabled pending interrupts of `vcpu`, highest priority first; they stop
    // being pending here (they are in list registers now).
    std::size_t take_pending(std::uint32_t vcpu, Pending* out, std::size_t max);
    // Gives back an interrupt take_pending() returned but no list register could hold.
    void put_back(std::uint32_t vcpu, const Pending& p);
    bool has_pending(std::uint32_t vcpu) const;

    // vCPU `vcpu` now runs on another physical CPU: its enabled hardware-backed SPIs are
    // routed again (VgicHost::route_physical), to be taken where it runs.
    void follow_vcpu(std::uint32_t vcpu);

    // The vCPU an SPI goes to.
    std::uint32_t target_of(std::uint32_t intid) const;
    bool is_hw(std::uint32_t intid) const;

  private:
    struct Private {                     // SGIs and PPIs of one vCPU
        std::uint32_t enabled = 0xffff;  // SGIs are enabled from reset on QEMU and in Xen's vGIC
        std::uint32_t pending = 0;
        std::uint32_t active = 0;
        std::uint32_t edge = 0xffff;  // SGIs are always edge
        std::array<std::uint8_t, 32> priority{};
        bool asleep = true;  // GICR_WAKER.ProcessorSleep
    };

    bool bit(const std::uint32_t* words, std::uint32_t intid) const {
        return (words[intid / 32] >> (intid % 32)) & 1u;
    }
    void set_enabled(std::uint32_t vcpu, std::uint32_t intid, bool enabled);
    void set_edge(std::uint32_t intid, bool edge);
    void route(std::uint32_t intid, std::uint64_t irouter);
    bool sgi_frame_read(std::uint32_t vcpu, std::uint64_t offset, unsigned size,
                        std::uint64_t& value);
    bool sgi_frame_write(std::uint32_t vcpu, std::uint64_t offset, unsigned size,
                         std::uint64_t value);
    std::uint64_t redist_typer(std::uint32_t vcpu) const;

    std::uint32_t vcpus_;
    std::uint32_t nr_irqs_;
    std::array<std::uint64_t, kMaxVcpus> mpidr_{};
    std::array<Private, kMaxVcpus> private_{};
    std::uint32_t ctlr_ = 0;
    std::array<std::uint32_t, kMaxIrqs / 32> spi_enabled_{};
    std::array<std::uint32_t, kMaxIrqs / 32> spi_pending_{};
    std::array<std::uint32_t, kMaxIrqs / 32> spi_edge_{};
    std::array<std::uint32_t, kMaxIrqs / 32> hw_spis_{};
    std::uint32_t hw_ppis_;
    std::array<std::uint8_t, kMaxIrqs> spi_priority_{};
    std::array<std::uint64_t, kMaxIrqs> irouter_{};
    std::array<std::uint8_t, kMaxIrqs> spi_target_{};
    VgicHost& host_;
    mutable lib::SpinLock lock_;
};

}  // namespace tern::hv
