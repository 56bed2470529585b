// VcpuPower: a start request is published with a compare-and-swap from off to on_pending, so
// that two CPU_ON calls for one vCPU cannot both succeed, and its entry point is written
// before the state that tells the target to read it (release, then acquire).
#include "common/vcpu_power.hpp"

namespace tern::hv {

void VcpuPower::reset(const std::uint64_t* mpidrs, std::size_t count) {
    count_ = count < kMaxVcpus ? count : kMaxVcpus;
    for (std::size_t i = 0; i < count_; ++i) {
        slots_[i].mpidr = mpidrs[i];
        slots_[i].start = {};
        slots_[i].state.store(i == 0 ? on : off, std::memory_order_release);
    }
}

VcpuPower::Slot* VcpuPower::find(std::uint64_t mpidr) {
    for (std::size_t i = 0; i < count_; ++i) {
        if (slots_[i].mpidr == mpidr)
            return &slots_[i];
    }
    return nullptr;
}

const VcpuPower::Slot* VcpuPower::find(std::uint64_t mpidr) const {
    for (std::size_t i = 0; i < count_; ++i) {
        if (slots_[i].mpidr == mpidr)
            return &slots_[i];
    }
    return nullptr;
}

std::optional<std::size_t> VcpuPower::index_of(std::uint64_t mpidr) const {
    const Slot* slot = find(mpidr);
    if (slot == nullptr)
        return std::nullopt;
    return static_cast<std::size_t>(slot - slots_.data());
}

std::int64_t VcpuPower::request_on(std::uint64_t mpidr, std::uint64_t entry,
                                   std::uint64_t context) {
    Slot* slot = find(mpidr);
    if (slot == nullptr)
        return kPsciInvalidParameters;
    if (entry % 4 != 0)
        return kPsciInvalidParameters;
    std::uint32_t expected = off;
    // Claim the slot first (off -> claimed is done by one caller only), and let the target
    // see on_pending only once the entry point is written.
    if (!slot->state.compare_exchange_strong(expected, claimed, std::memory_order_acq_rel)) {
        return expected == on ? kPsciAlreadyOn : kPsciOnPending;
    }
    slot->start = {entry, context};
    slot->state.store(on_pending, std::memory_order_release);
    return kPsciSuccess;
}

std::int64_t VcpuPower::affinity_info(std::uint64_t mpidr) const {
    const Slot* slot = find(mpidr);
    if (slot == nullptr)
        return kPsciInvalidParameters;
    switch (slot->state.load(std::memory_order_acquire)) {
        case on:
            return kAffinityOn;
        case claimed:
        case on_pending:
            return kAffinityOnPending;
        default:
            return kAffinityOff;
    }
}

std::optional<VcpuStart> VcpuPower::take_start(std::size_t index) {
    if (index >= count_)
        return std::nullopt;
    Slot& slot = slots_[index];
    if (slot.state.load(std::memory_order_acquire) != on_pending)
        return std::nullopt;
    const VcpuStart start = slot.start;
    slot.state.store(on, std::memory_order_release);
    return start;
}

void VcpuPower::turn_off(std::size_t index) {
    if (index < count_)
        slots_[index].state.store(off, std::memory_order_release);
}

}  // namespace tern::hv
