// Defines Domain: one domain that the control domain created — its limits, state, memory,
// event channels, grant table, virtual GIC, the pages it shares with the hypervisor
// (shared_info, grant frames), HVM parameters and the start context of its vCPUs — and
// DomainTable, the set of them by id. Domains are created paused; the control domain populates
// their memory, sets their vCPUs' start, shuts them down and destroys them (public/tern_control.h).
// dom0 itself is not in the table: it is built at boot.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/console_line.hpp"
#include "common/domain_memory.hpp"
#include "common/event_channels.hpp"
#include "common/grant_table.hpp"
#include "common/guest_devices.hpp"
#include "common/machine_memory.hpp"
#include "common/scheduler.hpp"
#include "common/stage2_tables.hpp"
#include "common/vcpu_power.hpp"
#include "common/vgic.hpp"
#include "lib/spinlock.hpp"
#include "public/tern_control.h"
#include "public/xen.hpp"
#include "tern/status.hpp"

namespace tern::hv {

struct DomainConfig {
    std::uint32_t max_vcpus = 1;
    std::uint64_t max_pages = 0;
    std::uint32_t max_grant_frames = 32;
    std::uint32_t max_event_channels = EventChannels::kMaxPorts - 1;
    std::array<std::uint8_t, 16> handle{};
    Stage2Granule stage2_granule = Stage2Granule::blocks;  // how its RAM is mapped
};

enum class DomainState : std::uint8_t {
    paused = TERN_DOMAIN_PAUSED,
    running = TERN_DOMAIN_RUNNING,
    shutdown = TERN_DOMAIN_SHUTDOWN,
};

// Stage-2 tables for domains, from the machine's object storage (page aligned, zeroed).
class MachineTablePages final : public TablePages {
  public:
    explicit MachineTablePages(MachineMemory& machine) : machine_(machine) {}
    std::uint64_t* allocate_table() override {
        auto table = machine_.allocate_object(kPageSize);
        return table.ok() ? static_cast<std::uint64_t*>(table.value()) : nullptr;
    }
    void free_table(std::uint64_t* table) override { machine_.free_object(table, kPageSize); }

  private:
    MachineMemory& machine_;
};

class Domain;

// What a domain's virtual GIC asks of the physical CPUs its vCPUs run on.
class DomainHooks {
  public:
    // vCPU `vcpu` should look at its pending interrupts soon.
    virtual void kick(const Domain& domain, std::uint32_t vcpu) = 0;
    // Enable or disable a hardware-backed PPI (the virtual timer's) on the vCPU's CPU.
    virtual void set_ppi_enabled(const Domain& domain, std::uint32_t vcpu, std::uint32_t intid,
                                 bool enabled) = 0;
    // Translations it took out of its stage 2 must be forgotten by every CPU (before the
    // pages behind them go to anyone else).
    virtual void flush_tlb(const Domain& domain) = 0;

  protected:
    ~DomainHooks() = default;
};

class Domain {
  public:
    static constexpr std::uint32_t kNrHvmParams = 39;  // Xen 4.17's HVM_NR_PARAMS

    static constexpr std::uint32_t kNrIrqs = 64;             // SGIs, PPIs and 32 SPIs
    static constexpr std::uint32_t kVirtualTimerIntid = 27;  // the EL1 virtual timer's PPI

    // `vmid` tags its stage-2 translations (dom0 has 1).
    Domain(pub::domid_t id, const DomainConfig& config, MachineMemory& machine, std::uint16_t vmid,
           DomainHooks& hooks);
    ~Domain();
    Domain(const Domain&) = delete;
    Domain& operator=(const Domain&) = delete;

    pub::domid_t id() const { return id_; }
    const DomainConfig& config() const { return config_; }
    DomainState state() const {
        lib::LockGuard guard(state_lock_);
        return state_;
    }
    std::uint32_t shutdown_reason() const {
        lib::LockGuard guard(state_lock_);
        return shutdown_reason_;
    }
    const DomainMemory& memory() const { return memory_; }
    const Stage2Tables& stage2() const { return stage2_; }

    // Backs `range` with fresh zeroed pages and maps them in its stage 2 (all or nothing;
    // DomainMemory::populate's statuses).
    Status populate(GfnRange range);
    // Unmaps and gives back the pages of `range` (no CPU keeps a translation to them); how
    // many went back.
    Result<std::uint64_t> release(GfnRange range);
    // Gives back every page (it is being destroyed).
    void release_all();
    // Copies `size` bytes of the calling vCPU's memory at `va` into its RAM at guest physical
    // `address` (how the builder loads a kernel); invalid_argument when a page there is not
    // populated or `va` cannot be read (what came before stays copied).
    Status write_memory(std::uint64_t address, GuestMemory& from, std::uint64_t va,
                        std::uint64_t size);
    EventChannels& events() { return events_; }
    GrantTable& grants() { return grants_; }
    Vgic& vgic() { return vgic_; }
    GuestDevices& devices() { return devices_; }
    // What it writes to the hypervisor's console, line by line.
    ConsoleLine& console_line() { return console_line_; }

    // shared_info (made on first use, zeroed) placed at guest frame `gfn`, over whatever was
    // mapped there (a RAM page stays the domain's, unmapped, until it is released).
    Status map_shared_info(std::uint64_t gfn);
    // Grant-table frame `idx` (the table grows to it) placed at guest frame `gfn`.
    Status map_grant_frame(std::uint32_t idx, std::uint64_t gfn);
    // vCPU `vcpu`'s vcpu_info moves to `offset` in the domain's page at guest frame `gfn`.
    Status attach_vcpu_info(std::uint32_t vcpu, std::uint64_t gfn, std::uint32_t offset);
    std::uint64_t cpu_time_ns() const { return sched_.cpu_time_ns.load(std::memory_order_relaxed); }
    // What the scheduler keeps of it (weight, cap, paused, CPU time).
    SchedDomain& sched() { return sched_; }
    const SchedDomain& sched() const { return sched_; }

    // The control domain pauses it (again: nothing changes); the caller has taken its vCPUs
    // off their CPUs. A domain that has shut down cannot be paused or unpaused: busy.
    Status pause();
    // Its vCPUs were started on CPUs (from paused), or run again after a pause.
    Status set_running();
    // Whether it ever ran (its vCPUs' start contexts are then spent).
    bool started() const {
        lib::LockGuard guard(state_lock_);
        return started_;
    }
    // Records that it shut down (by itself or told to) with one of Xen's SHUTDOWN_* reasons;
    // once shut down, the first reason stays. Safe from any CPU (the domain's own vCPU calls
    // it). True when this call shut it down.
    Result<bool> shutdown(std::uint32_t reason);

    Status set_vcpu_start(std::uint32_t vcpu, VcpuStart start);
    // PSCI CPU_ON from one of its running vCPUs: vCPU `vcpu` starts at `start` when it gets a
    // CPU. busy once the domain has shut down.
    Status set_vcpu_start_on(std::uint32_t vcpu, VcpuStart start);
    std::optional<VcpuStart> vcpu_start(std::uint32_t vcpu) const;

    Status set_hvm_param(std::uint32_t index, std::uint64_t value);
    Result<std::uint64_t> hvm_param(std::uint32_t index) const;

  private:
    // Its event upcall is the virtual PPI the device tree names (Xen's GUEST_EVTCHN_PPI).
    class VgicUpcalls final : public UpcallSink {
      public:
        explicit VgicUpcalls(Domain& d) : domain_(d) {}
        void raise_upcall(std::uint32_t vcpu) override;

      private:
        Domain& domain_;
    };
    // Its vGIC's wishes go to the hooks, with the domain named.
    class VgicHooks final : public VgicHost {
      public:
        VgicHooks(Domain& d, DomainHooks& hooks) : domain_(d), hooks_(hooks) {}
        void set_physical_enabled(std::uint32_t intid, std::uint32_t vcpu, bool enabled) override;
        void route_physical(std::uint32_t, std::uint32_t) override {}  // no hardware SPIs
        void set_physical_edge(std::uint32_t, bool) override {}
        void kick(std::uint32_t vcpu) override { hooks_.kick(domain_, vcpu); }

      private:
        Domain& domain_;
        DomainHooks& hooks_;
    };

    // Maps a hypervisor page at `gfn` in place of what was there.
    Status map_page_over(std::uint64_t gfn, Paddr page);

    pub::domid_t id_;
    DomainConfig config_;
    mutable lib::SpinLock state_lock_;
    DomainState state_ = DomainState::paused;
    bool started_ = false;
    std::uint32_t shutdown_reason_ = 0;
    SchedDomain sched_;
    MachineMemory& machine_;
    DomainHooks& hooks_;
    DomainMemory memory_;
    MachineTablePages table_pages_;
    Stage2Tables stage2_;
    VgicHooks vgic_hooks_;
    Vgic vgic_;
    GuestDevices devices_;
    VgicUpcalls upcalls_;
    EventChannels events_;
    GrantTable grants_;
    ConsoleLine console_line_;
    Paddr shared_info_{};
    std::array<std::uint64_t, kNrHvmParams> hvm_params_{};
    std::array<std::optional<VcpuStart>, TERN_MAX_VCPUS> vcpu_start_{};
};

class DomainTable {
  public:
    static constexpr std::uint32_t kMaxDomains = TERN_MAX_DOMAINS;
    // Ids go up to Xen's DOMID_FIRST_RESERVED - 1, then wrap around to 1.
    static constexpr pub::domid_t kLastId = 0x7fef;

    // `hooks` (none: interrupts are only recorded, for tests) serve every domain's vGIC.
    explicit DomainTable(MachineMemory& machine, DomainHooks* hooks = nullptr)
        : machine_(machine), hooks_(hooks) {}
    DomainTable(const DomainTable&) = delete;
    DomainTable& operator=(const DomainTable&) = delete;
    ~DomainTable();

    // A new paused domain with no memory, under the next free id (ids are not reused at
    // once, as in Xen). invalid_argument for bad limits; out_of_memory when the table is full
    // or its objects do not fit.
    Result<Domain*> create(const DomainConfig& config);
    Domain* find(pub::domid_t id);
    // Gives every page it owned back to the machine and forgets it.
    Status destroy(pub::domid_t id);

    // The domain with the smallest id >= `first`, if any (for listing in id order).
    Domain* next_from(std::uint32_t first);
    std::size_t count() const;

  private:
    MachineMemory& machine_;
    DomainHooks* hooks_;
    std::array<Domain*, kMaxDomains> slots_{};
    pub::domid_t next_id_ = 1;
};

}  // namespace tern::hv
