// Defines VcpuPower: dom0's vCPUs by MPIDR (vCPU n has the MPIDR of the n-th CPU of its device
// tree, so the MPIDRs and GIC redistributors it finds are the machine's), and the PSCI answers
// (Arm DEN 0022, 5.1.4, 5.1.5, 5.1.6). Their power state is the scheduler's: CPU_ON adds the
// vCPU of the MPIDR, CPU_OFF takes it off, AFFINITY_INFO asks whether it is on.
#pragma once

#include <array>
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

    // The vCPUs, by MPIDR in index order.
    void reset(const std::uint64_t* mpidrs, std::size_t count);
    std::size_t count() const { return count_; }

    // Which vCPU has this MPIDR.
    std::optional<std::size_t> index_of(std::uint64_t mpidr) const;

    // The MPIDR of vCPU `index`.
    std::optional<std::uint64_t> mpidr_of(std::size_t index) const {
        return index < count_ ? std::optional<std::uint64_t>(mpidrs_[index]) : std::nullopt;
    }

  private:
    std::array<std::uint64_t, kMaxVcpus> mpidrs_{};
    std::size_t count_ = 0;
};

}  // namespace tern::hv
