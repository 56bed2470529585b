// Defines VcpuPower: the PSCI power state of dom0's vCPUs, each pinned to the physical CPU of
// the same MPIDR (dom0's vCPU n runs on physical CPU n, so its device tree, its MPIDR and the
// GIC redistributor it finds are the machine's). CPU_ON from a running vCPU leaves a start
// request in the target's mailbox; the target physical CPU, waiting in its idle loop, takes it
// and enters the guest. The answers are PSCI's (Arm DEN 0022, 5.1.4, 5.1.5, 5.1.6).
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace tern::hv {

// PSCI return codes.
inline constexpr std::int64_t kPsciSuccess = 0;
inline constexpr std::int64_t kPsciInvalidParameters = -2;
inline constexpr std::int64_t kPsciDenied = -3;
inline constexpr std::int64_t kPsciAlreadyOn = -4;
inline constexpr std::int64_t kPsciOnPending = -5;
inline constexpr std::int64_t kPsciInternalFailure = -6;

// AFFINITY_INFO answers.
inline constexpr std::int64_t kAffinityOn = 0;
inline constexpr std::int64_t kAffinityOff = 1;
inline constexpr std::int64_t kAffinityOnPending = 2;

struct VcpuStart {
    std::uint64_t entry;    // guest physical address to start at, MMU off
    std::uint64_t context;  // given in x0
};

class VcpuPower {
  public:
    static constexpr std::size_t kMaxVcpus = 8;

    // The vCPUs, by MPIDR in index order; vCPU 0 is on (it boots the guest), the rest off.
    void reset(const std::uint64_t* mpidrs, std::size_t count);
    std::size_t count() const { return count_; }

    // Which vCPU has this MPIDR (and so runs on the physical CPU that has it).
    std::optional<std::size_t> index_of(std::uint64_t mpidr) const;

    // The MPIDR of vCPU `index`.
    std::optional<std::uint64_t> mpidr_of(std::size_t index) const {
        return index < count_ ? std::optional<std::uint64_t>(slots_[index].mpidr) : std::nullopt;
    }

    // PSCI CPU_ON for the vCPU with this MPIDR.
    std::int64_t request_on(std::uint64_t mpidr, std::uint64_t entry, std::uint64_t context);
    // PSCI AFFINITY_INFO at level 0.
    std::int64_t affinity_info(std::uint64_t mpidr) const;
    // The vCPU on physical CPU `index` takes its start request, if any, and is on from then.
    std::optional<VcpuStart> take_start(std::size_t index);
    // PSCI CPU_OFF by the vCPU on physical CPU `index`.
    void turn_off(std::size_t index);

  private:
    enum State : std::uint32_t { off, claimed, on_pending, on };
    struct Slot {
        std::uint64_t mpidr = 0;
        std::atomic<std::uint32_t> state{off};
        VcpuStart start{};
    };
    Slot* find(std::uint64_t mpidr);
    const Slot* find(std::uint64_t mpidr) const;

    std::array<Slot, kMaxVcpus> slots_{};
    std::size_t count_ = 0;
};

}  // namespace tern::hv
