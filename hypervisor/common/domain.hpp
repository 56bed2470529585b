// Defines Domain: one domain that the control domain created — its limits, state, memory,
// event channels, HVM parameters and the start context of its vCPUs — and DomainTable, the
// set of them by id. Domains are created paused; the control domain populates their memory,
// sets their vCPUs' start, shuts them down and destroys them (public/tern_control.h). dom0
// itself is not in the table: it is built at boot.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "common/domain_memory.hpp"
#include "common/event_channels.hpp"
#include "common/machine_memory.hpp"
#include "common/stage2_tables.hpp"
#include "common/vcpu_power.hpp"
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

class Domain {
  public:
    static constexpr std::uint32_t kNrHvmParams = 39;  // Xen 4.17's HVM_NR_PARAMS

    // `vmid` tags its stage-2 translations (dom0 has 1).
    Domain(pub::domid_t id, const DomainConfig& config, MachineMemory& machine, std::uint16_t vmid);
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
    // Unmaps and gives back the pages of `range`; how many went back.
    Result<std::uint64_t> release(GfnRange range);
    // Gives back every page (it is being destroyed).
    void release_all();
    EventChannels& events() { return events_; }
    std::uint64_t cpu_time_ns() const { return cpu_time_ns_; }

    // The control domain pauses it (again: nothing changes). A domain that has shut down
    // cannot be paused or unpaused: busy.
    Status pause();
    // Its vCPUs were started on CPUs (from paused).
    Status set_running();
    // Records that it shut down (by itself or told to) with one of Xen's SHUTDOWN_* reasons;
    // once shut down, the first reason stays. Safe from any CPU (the domain's own vCPU calls
    // it). True when this call shut it down.
    Result<bool> shutdown(std::uint32_t reason);

    Status set_vcpu_start(std::uint32_t vcpu, VcpuStart start);
    std::optional<VcpuStart> vcpu_start(std::uint32_t vcpu) const;

    Status set_hvm_param(std::uint32_t index, std::uint64_t value);
    Result<std::uint64_t> hvm_param(std::uint32_t index) const;

  private:
    // Upcalls of a domain none of whose vCPUs runs: the pending bit in its vcpu_info is what
    // a vCPU looks at when it runs.
    class DeferredUpcalls final : public UpcallSink {
      public:
        void raise_upcall(std::uint32_t) override {}
    };

    pub::domid_t id_;
    DomainConfig config_;
    mutable lib::SpinLock state_lock_;
    DomainState state_ = DomainState::paused;
    std::uint32_t shutdown_reason_ = 0;
    std::uint64_t cpu_time_ns_ = 0;
    MachineMemory& machine_;
    DomainMemory memory_;
    MachineTablePages table_pages_;
    Stage2Tables stage2_;
    DeferredUpcalls upcalls_;
    EventChannels events_;
    std::array<std::uint64_t, kNrHvmParams> hvm_params_{};
    std::array<std::optional<VcpuStart>, TERN_MAX_VCPUS> vcpu_start_{};
};

class DomainTable {
  public:
    static constexpr std::uint32_t kMaxDomains = TERN_MAX_DOMAINS;
    // Ids go up to Xen's DOMID_FIRST_RESERVED - 1, then wrap around to 1.
    static constexpr pub::domid_t kLastId = 0x7fef;

    explicit DomainTable(MachineMemory& machine) : machine_(machine) {}
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
    std::array<Domain*, kMaxDomains> slots_{};
    pub::domid_t next_id_ = 1;
};

}  // namespace tern::hv
