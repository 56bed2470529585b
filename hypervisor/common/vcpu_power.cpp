#include "common/vcpu_power.hpp"

namespace tern::hv {

std::int64_t psci_features(std::uint32_t function, bool with_smccc_version) {
    switch (function) {
        case kSmcccVersion:
            return with_smccc_version ? kPsciSuccess : kPsciNotSupported;
        case kPsciVersion:
        case kPsciCpuOff:
        case kPsciCpuOn:
        case kPsciCpuOn64:
        case kPsciAffinityInfo:
        case kPsciAffinityInfo64:
        case kPsciMigrateInfoType:
        case kPsciSystemOff:
        case kPsciSystemReset:
        case kPsciFeatures:
            return kPsciSuccess;
        default:
            return kPsciNotSupported;
    }
}

void VcpuPower::reset(const std::uint64_t* mpidrs, std::size_t count) {
    count_ = count < kMaxVcpus ? count : kMaxVcpus;
    for (std::size_t i = 0; i < count_; ++i)
        mpidrs_[i] = mpidrs[i];
}

std::optional<std::size_t> VcpuPower::index_of(std::uint64_t mpidr) const {
    for (std::size_t i = 0; i < count_; ++i) {
        if (mpidrs_[i] == mpidr)
            return i;
    }
    return std::nullopt;
}

}  // namespace tern::hv
