// Defines VcpuPower: dom0's vCPUs by MPIDR (vCPU n has the MPIDR of the n-th CPU of its device
// tree, so the MPIDRs and GIC redistributors it finds are the machine's), and the PSCI answers
// (Arm DEN 0022, 5.1.4, 5.1.5, 5.1.6, 5.1.14). Their power state is the scheduler's: CPU_ON adds
// the vCPU of the MPIDR, CPU_OFF takes it off, AFFINITY_INFO asks whether it is on.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace tern::hv {

// PSCI function ids (5.1; the SMC64 forms of CPU_ON and AFFINITY_INFO have bit 30 set).
inline constexpr std::uint32_t kSmcccVersion = 0x80000000;
inline constexpr std::uint32_t kPsciVersion = 0x84000000;
inline constexpr std::uint32_t kPsciCpuOff = 0x84000002;
inline constexpr std::uint32_t kPsciCpuOn = 0x84000003;
inline constexpr std::uint32_t kPsciCpuOn64 = 0xc4000003;
inline constexpr std::uint32_t kPsciAffinityInfo = 0x84000004;
inline constexpr std::uint32_t kPsciAffinityInfo64 = 0xc4000004;
inline constexpr std::uint32_t kPsciMigrateInfoType = 0x84000006;
inline constexpr std::uint32_t kPsciSystemOff = 0x84000008;
inline constexpr std::uint32_t kPsciSystemReset = 0x84000009;
inline constexpr std::uint32_t kPsciFeatures = 0x8400000a;

// PSCI return codes.
inline constexpr std::int64_t kPsciSuccess = 0;
inline constexpr std::int64_t kPsciNotSupported = -1;
inline constexpr std::int64_t kPsciInvalidParameters = -2;
inline constexpr std::int64_t kPsciDenied = -3;
inline constexpr std::int64_t kPsciAlreadyOn = -4;
inline constexpr std::int64_t kPsciOnPending = -5;
inline constexpr std::int64_t kPsciInternalFailure = -6;

// AFFINITY_INFO answers.
inline constexpr std::int64_t kAffinityOn = 0;
inline constexpr std::int64_t kAffinityOff = 1;
inline constexpr std::int64_t kAffinityOnPending = 2;

// MIGRATE_INFO_TYPE (5.1.6): no Trusted OS needs migrating, so every CPU may go off.
inline constexpr std::int64_t kMigrateInfoNoTrustedOs = 2;

// PSCI_FEATURES (5.1.14): 0 when the PSCI call `function` is answered, NOT_SUPPORTED otherwise.
// `with_smccc_version`: SMCCC_VERSION is answered too (dom0's calls; a domU's stay SMCCC 1.0,
// with no firmware workarounds to ask about).
std::int64_t psci_features(std::uint32_t function, bool with_smccc_version);

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
