#include "dom0/control/foreign_mapping.hpp"

#include <sys/ioctl.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "dom0/control/control_error.hpp"

namespace tern::dom0 {

namespace {

// Linux's include/uapi/xen/privcmd.h: struct privcmd_mmapbatch_v2 and its ioctl number
// _IOC(_IOC_NONE, 'P', 4, sizeof(struct privcmd_mmapbatch_v2)).
struct PrivcmdMmapbatchV2 {
    std::uint32_t num;
    std::uint16_t dom;
    std::uint64_t addr;
    const std::uint64_t* arr;
    int* err;
};
static_assert(sizeof(PrivcmdMmapbatchV2) == 32);
constexpr unsigned long kIoctlMmapbatchV2 = (sizeof(PrivcmdMmapbatchV2) << 16) | ('P' << 8) | 4;
static_assert(kIoctlMmapbatchV2 == 0x205004);
constexpr std::size_t kPage = 4096;

}  // namespace

ForeignMapping::ForeignMapping(Privcmd& privcmd, std::uint32_t domain,
                               std::span<const std::uint64_t> gfns)
    : size_(gfns.size() * kPage) {
    if (gfns.empty() || domain > 0xffff)
        throw ControlError("map domain " + std::to_string(domain) + "'s memory: nothing to map",
                           EINVAL);
    address_ = ::mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_SHARED, privcmd.fd(), 0);
    if (address_ == MAP_FAILED) {
        const int error = errno;
        address_ = nullptr;
        throw ControlError(
            std::string("reserve room for a foreign mapping: ") + std::strerror(error), error);
    }
    std::vector<int> errors(gfns.size(), 0);
    PrivcmdMmapbatchV2 batch{
        static_cast<std::uint32_t>(gfns.size()), static_cast<std::uint16_t>(domain),
        reinterpret_cast<std::uintptr_t>(address_), gfns.data(), errors.data()};
    int error = 0;
    std::size_t at = 0;
    if (::ioctl(privcmd.fd(), kIoctlMmapbatchV2, &batch) < 0) {
        error = errno;
    }
    for (std::size_t i = 0; i < errors.size() && error == 0; ++i) {
        if (errors[i] != 0) {
            error = -errors[i];
            at = i;
        }
    }
    if (error != 0) {
        ::munmap(address_, size_);
        address_ = nullptr;
        char frame[32];
        std::snprintf(frame, sizeof frame, "%#llx", static_cast<unsigned long long>(gfns[at]));
        throw ControlError("map frame " + std::string(frame) + " of domain " +
                               std::to_string(domain) + ": " + std::strerror(error),
                           error);
    }
}

ForeignMapping::~ForeignMapping() {
    if (address_ != nullptr)
        ::munmap(address_, size_);
}

}  // namespace tern::dom0
