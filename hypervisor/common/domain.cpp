#include "common/domain.hpp"

#include <new>

namespace tern::hv {

namespace {

// vCPU i's MPIDR is i (Aff0), as the device tree's cpu@i says.
constexpr std::array<std::uint64_t, Vgic::kMaxVcpus> kVcpuMpidrs = {0, 1, 2, 3, 4, 5, 6, 7};
constexpr std::uint32_t kEventIntid = TERN_GUEST_EVTCHN_PPI;

// Hooks for a table that has none: interrupts are recorded in the vGIC and nothing else.
class NoHooks final : public DomainHooks {
  public:
    void kick(const Domain&, std::uint32_t) override {}
    void set_ppi_enabled(const Domain&, std::uint32_t, std::uint32_t, bool) override {}
    void flush_tlb(const Domain&) override {}
};
NoHooks g_no_hooks;

}  // namespace

Domain::Domain(pub::domid_t id, const DomainConfig& config, MachineMemory& machine,
               std::uint16_t vmid, DomainHooks& hooks)
    : id_(id),
      config_(config),
      machine_(machine),
      hooks_(hooks),
      memory_(config.max_pages),
      table_pages_(machine),
      stage2_(table_pages_, vmid, config.stage2_granule),
      vgic_hooks_(*this, hooks),
      // The virtual timer is not hardware-backed: it fires as a virtual interrupt, which
      // moves with the vCPU from CPU to CPU.
      vgic_(config.max_vcpus, kVcpuMpidrs.data(), kNrIrqs, {}, 0, vgic_hooks_),
      upcalls_(*this),
      events_(id, config.max_vcpus, upcalls_),
      grants_(id, config.max_grant_frames),
      console_line_(id) {
    sched_.domain = this;
    sched_.vgic = &vgic_;
    sched_.id = id;
    devices_.attach_vgic(&vgic_, TERN_GUEST_GICD_BASE, TERN_GUEST_GICR_BASE,
                         Vgic::kRedistStride * config.max_vcpus);
}

Domain::~Domain() {
    grants_.release_frames(machine_);
    if (shared_info_.value != 0)
        machine_.free(shared_info_, 1);
}

void Domain::VgicUpcalls::raise_upcall(std::uint32_t vcpu) {
    (void)domain_.vgic_.raise(vcpu, kEventIntid);
}

void Domain::VgicHooks::set_physical_enabled(std::uint32_t intid, std::uint32_t vcpu,
                                             bool enabled) {
    if (intid < 32)
        hooks_.set_ppi_enabled(domain_, vcpu, intid, enabled);
}

Status Domain::map_page_over(std::uint64_t gfn, Paddr page) {
    const std::uint64_t ipa = gfn << kPageShift;
    if ((ipa >> kPageShift) != gfn || ipa >= (1ull << Stage2Tables::kIpaBits))
        return Status::invalid_argument;
    const Status unmapped = stage2_.unmap(ipa, kPageSize);
    if (unmapped != Status::ok)
        return unmapped;
    hooks_.flush_tlb(*this);
    return stage2_.map(ipa, page, kPageSize, Stage2Memory::normal);
}

Status Domain::map_shared_info(std::uint64_t gfn) {
    if (shared_info_.value == 0) {
        auto page = machine_.allocate_zeroed(1, 1);
        if (!page.ok())
            return page.status();
        shared_info_ = page.value();
        events_.attach_shared_info(reinterpret_cast<pub::shared_info*>(shared_info_.value));
    }
    return map_page_over(gfn, shared_info_);
}

Status Domain::map_grant_frame(std::uint32_t idx, std::uint64_t gfn) {
    auto frame = grants_.frame(idx, machine_);
    if (!frame.ok())
        return frame.status();
    return map_page_over(gfn, Paddr{frame.value()});
}

Status Domain::attach_vcpu_info(std::uint32_t vcpu, std::uint64_t gfn, std::uint32_t offset) {
    if (vcpu >= config_.max_vcpus || offset > kPageSize - sizeof(pub::vcpu_info) || offset % 8 != 0)
        return Status::invalid_argument;
    const auto page = stage2_.translate(gfn << kPageShift);
    if (!page)
        return Status::invalid_argument;
    return events_.attach_vcpu_info(
        vcpu, reinterpret_cast<pub::vcpu_info*>((page->value & ~(kPageSize - 1)) + offset));
}

Status Domain::write_memory(std::uint64_t address, GuestMemory& from, std::uint64_t va,
                            std::uint64_t size) {
    if (address + size < address || va + size < va)
        return Status::invalid_argument;
    while (size != 0) {
        const auto page = memory_.machine_of(address >> kPageShift);
        if (!page.has_value())
            return Status::invalid_argument;
        const std::uint64_t offset = address & (kPageSize - 1);
        const std::uint64_t chunk = size < kPageSize - offset ? size : kPageSize - offset;
        if (!machine_.copy_from(from, va, Paddr{page->value + offset}, chunk))
            return Status::invalid_argument;
        address += chunk;
        va += chunk;
        size -= chunk;
    }
    return Status::ok;
}

Status Domain::populate(GfnRange range) {
    const Status s = memory_.populate(range, machine_);
    if (s != Status::ok)
        return s;
    for (const MemoryExtent& e : memory_.extents()) {
        if (e.gfn < range.first || e.gfn >= range.end())
            continue;
        const Status mapped =
            stage2_.map(e.gfn << kPageShift, e.machine, e.pages * kPageSize, Stage2Memory::normal);
        if (mapped != Status::ok) {
            (void)release(range);
            return mapped;
        }
    }
    return Status::ok;
}

Result<std::uint64_t> Domain::release(GfnRange range) {
    if (range.count == 0 || range.end() < range.first ||
        range.first >= (1ull << (Stage2Tables::kIpaBits - kPageShift)))
        return Status::invalid_argument;
    const std::uint64_t limit = 1ull << (Stage2Tables::kIpaBits - kPageShift);
    const std::uint64_t count = range.end() > limit ? limit - range.first : range.count;
    const Status unmapped = stage2_.unmap(range.first << kPageShift, count * kPageSize);
    if (unmapped != Status::ok)
        return unmapped;  // no table to split a block: nothing released
    hooks_.flush_tlb(*this);
    return memory_.release(range, machine_);
}

void Domain::release_all() {
    for (const MemoryExtent& e : memory_.extents())
        (void)stage2_.unmap(e.gfn << kPageShift, e.pages * kPageSize);
    memory_.release_all(machine_);
}

Status Domain::pause() {
    lib::LockGuard guard(state_lock_);
    if (state_ == DomainState::shutdown)
        return Status::busy;
    state_ = DomainState::paused;
    return Status::ok;
}

Status Domain::set_running() {
    lib::LockGuard guard(state_lock_);
    if (state_ == DomainState::shutdown)
        return Status::busy;
    state_ = DomainState::running;
    started_ = true;
    return Status::ok;
}

Result<bool> Domain::shutdown(std::uint32_t reason) {
    if (reason > TERN_SHUTDOWN_WATCHDOG)
        return Status::invalid_argument;
    lib::LockGuard guard(state_lock_);
    if (state_ == DomainState::shutdown)
        return false;
    state_ = DomainState::shutdown;
    shutdown_reason_ = reason;
    return true;
}

Status Domain::set_vcpu_start(std::uint32_t vcpu, VcpuStart start) {
    if (vcpu >= config_.max_vcpus)
        return Status::invalid_argument;
    if (state() != DomainState::paused || started())
        return Status::busy;
    vcpu_start_[vcpu] = start;
    return Status::ok;
}

Status Domain::set_vcpu_start_on(std::uint32_t vcpu, VcpuStart start) {
    if (vcpu >= config_.max_vcpus)
        return Status::invalid_argument;
    if (state() == DomainState::shutdown)
        return Status::busy;
    vcpu_start_[vcpu] = start;
    return Status::ok;
}

std::optional<VcpuStart> Domain::vcpu_start(std::uint32_t vcpu) const {
    if (vcpu >= config_.max_vcpus)
        return std::nullopt;
    return vcpu_start_[vcpu];
}

Status Domain::set_hvm_param(std::uint32_t index, std::uint64_t value) {
    if (index >= kNrHvmParams)
        return Status::invalid_argument;
    hvm_params_[index] = value;
    return Status::ok;
}

Result<std::uint64_t> Domain::hvm_param(std::uint32_t index) const {
    if (index >= kNrHvmParams)
        return Status::invalid_argument;
    return hvm_params_[index];
}

DomainTable::~DomainTable() {
    for (Domain* d : slots_) {
        if (d != nullptr)
            (void)destroy(d->id());
    }
}

Result<Domain*> DomainTable::create(const DomainConfig& config) {
    if (config.max_vcpus == 0 || config.max_vcpus > TERN_MAX_VCPUS || config.max_pages == 0 ||
        config.max_event_channels == 0 || config.max_event_channels >= EventChannels::kMaxPorts ||
        config.max_grant_frames == 0)
        return Status::invalid_argument;
    std::size_t slot = kMaxDomains;
    for (std::size_t i = 0; i < kMaxDomains; ++i) {
        if (slots_[i] == nullptr) {
            slot = i;
            break;
        }
    }
    if (slot == kMaxDomains)
        return Status::out_of_memory;
    // The next id not in use (the table holds fewer domains than ids, so one is found).
    pub::domid_t id = next_id_;
    while (find(id) != nullptr)
        id = id == kLastId ? 1 : static_cast<pub::domid_t>(id + 1);
    auto storage = machine_.allocate_object(sizeof(Domain));
    if (!storage.ok())
        return Status::out_of_memory;
    // VMID 1 is dom0's; each slot has its own.
    slots_[slot] =
        new (storage.value()) Domain(id, config, machine_, static_cast<std::uint16_t>(slot + 2),
                                     hooks_ != nullptr ? *hooks_ : g_no_hooks);
    next_id_ = id == kLastId ? 1 : static_cast<pub::domid_t>(id + 1);
    return slots_[slot];
}

Domain* DomainTable::find(pub::domid_t id) {
    for (Domain* d : slots_) {
        if (d != nullptr && d->id() == id)
            return d;
    }
    return nullptr;
}

Status DomainTable::destroy(pub::domid_t id) {
    for (Domain*& d : slots_) {
        if (d != nullptr && d->id() == id) {
            d->events().close_all();
            d->release_all();
            d->~Domain();
            machine_.free_object(d, sizeof(Domain));
            d = nullptr;
            return Status::ok;
        }
    }
    return Status::no_such_domain;
}

Domain* DomainTable::next_from(std::uint32_t first) {
    Domain* best = nullptr;
    for (Domain* d : slots_) {
        if (d != nullptr && d->id() >= first && (best == nullptr || d->id() < best->id()))
            best = d;
    }
    return best;
}

std::size_t DomainTable::count() const {
    std::size_t n = 0;
    for (const Domain* d : slots_)
        n += d != nullptr ? 1 : 0;
    return n;
}

}  // namespace tern::hv
