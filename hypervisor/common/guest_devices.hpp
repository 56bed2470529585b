// Defines GuestDevices: the devices the hypervisor emulates for the running guest (today the
// distributor and redistributors of its Vgic), reached when the guest touches an address its
// stage 2 does not map. The arch code decodes the access and asks emulate(); false means
// nothing is there and the guest gets an external abort.
#pragma once

#include <cstdint>

#include "common/vgic.hpp"

namespace tern::hv {

class GuestDevices {
  public:
    void attach_vgic(Vgic* vgic, std::uint64_t distributor, std::uint64_t redistributors,
                     std::uint64_t redistributors_size);
    bool emulate(std::uint64_t ipa, bool write, unsigned size, std::uint64_t& value);

  private:
    Vgic* vgic_ = nullptr;
    std::uint64_t dist_ = 0;
    std::uint64_t redist_ = 0;
    std::uint64_t redist_size_ = 0;
};

// dom0's devices.
GuestDevices& dom0_devices();

}  // namespace tern::hv
