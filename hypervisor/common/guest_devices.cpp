// GuestDevices: address ranges to emulated registers.
#include "common/guest_devices.hpp"

namespace tern::hv {

void GuestDevices::attach_vgic(Vgic* vgic, std::uint64_t distributor, std::uint64_t redistributors,
                               std::uint64_t redistributors_size) {
    vgic_ = vgic;
    dist_ = distributor;
    redist_ = redistributors;
    redist_size_ = redistributors_size;
}

bool GuestDevices::emulate(std::uint64_t ipa, bool write, unsigned size, std::uint64_t& value) {
    if (vgic_ == nullptr || (size != 1 && size != 2 && size != 4 && size != 8) || ipa % size != 0)
        return false;
    if (ipa >= dist_ && ipa - dist_ < Vgic::kDistSize) {
        return write ? vgic_->dist_write(ipa - dist_, size, value)
                     : vgic_->dist_read(ipa - dist_, size, value);
    }
    if (ipa >= redist_ && ipa - redist_ < redist_size_) {
        return write ? vgic_->redist_write(ipa - redist_, size, value)
                     : vgic_->redist_read(ipa - redist_, size, value);
    }
    return false;
}

namespace {
GuestDevices g_dom0_devices;
}

GuestDevices& dom0_devices() {
    return g_dom0_devices;
}

}  // namespace tern::hv
