#include "common/domain.hpp"

#include <new>

namespace tern::hv {

Domain::Domain(pub::domid_t id, const DomainConfig& config, MachineMemory& machine,
               std::uint16_t vmid)
    : id_(id),
      config_(config),
      machine_(machine),
      memory_(config.max_pages),
      table_pages_(machine),
      stage2_(table_pages_, vmid),
      events_(id, config.max_vcpus, upcalls_) {}

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
    if (state_ == DomainState::running)
        return Status::not_supported;  // a running vCPU cannot be set aside without a scheduler
    return Status::ok;
}

Status Domain::set_running() {
    lib::LockGuard guard(state_lock_);
    if (state_ == DomainState::shutdown)
        return Status::busy;
    state_ = DomainState::running;
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
    if (state() != DomainState::paused)
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
        new (storage.value()) Domain(id, config, machine_, static_cast<std::uint16_t>(slot + 2));
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
