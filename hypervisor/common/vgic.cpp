// Vgic: the register maps of GICD (IHI 0069 12.9) and of GICR's RD and SGI frames (12.10,
// 12.11), with affinity routing on and a single security state (GICD_CTLR.DS = 1).
#include "common/vgic.hpp"

namespace tern::hv {
namespace {

// GICD
constexpr std::uint64_t kCtlr = 0x0000;
constexpr std::uint64_t kTyper = 0x0004;
constexpr std::uint64_t kIidr = 0x0008;
constexpr std::uint64_t kIgroupr = 0x0080;
constexpr std::uint64_t kIsenabler = 0x0100;
constexpr std::uint64_t kIcenabler = 0x0180;
constexpr std::uint64_t kIspendr = 0x0200;
constexpr std::uint64_t kIcpendr = 0x0280;
constexpr std::uint64_t kIsactiver = 0x0300;
constexpr std::uint64_t kIcactiver = 0x0380;
constexpr std::uint64_t kIpriorityr = 0x0400;
constexpr std::uint64_t kIcfgr = 0x0c00;
constexpr std::uint64_t kIrouter = 0x6000;
constexpr std::uint64_t kPidr2 = 0xffe8;
// GICR
constexpr std::uint64_t kRdTyper = 0x0008;
constexpr std::uint64_t kRdWaker = 0x0014;
constexpr std::uint64_t kSgiFrame = 0x10000;

constexpr std::uint32_t kIidrValue = 0x0000043b;  // implementer Arm
constexpr std::uint32_t kPidr2Gicv3 = 0x3b;       // ArchRev 3
constexpr std::uint32_t kCtlrAre = 1u << 4;
constexpr std::uint32_t kCtlrDs = 1u << 6;
constexpr std::uint32_t kCtlrEnableMask = 0x3;  // EnableGrp0, EnableGrp1
constexpr std::uint64_t kAffinityMask = 0xff00ffffffull;

bool in(std::uint64_t offset, std::uint64_t base, std::uint64_t bytes) {
    return offset >= base && offset < base + bytes;
}

// The affinity an IROUTER or an SGI names, as MPIDR bits.
std::uint64_t irouter_affinity(std::uint64_t v) {
    return v & kAffinityMask;
}

}  // namespace

Vgic::Vgic(std::uint32_t vcpus, const std::uint64_t* mpidrs, std::uint32_t nr_irqs,
           const std::array<std::uint32_t, kMaxIrqs / 32>& hw_spis, std::uint32_t hw_ppis,
           VgicHost& host)
    : vcpus_(vcpus < kMaxVcpus ? vcpus : kMaxVcpus),
      nr_irqs_(nr_irqs < kMaxIrqs ? nr_irqs & ~31u : kMaxIrqs),
      hw_spis_(hw_spis),
      hw_ppis_(hw_ppis & 0xffff0000u),
      host_(host) {
    for (std::uint32_t i = 0; i < vcpus_; ++i)
        mpidr_[i] = mpidrs[i] & kAffinityMask;
    hw_spis_[0] = 0;  // INTIDs below 32 are never SPIs
    for (std::uint32_t intid = 32; intid < kMaxIrqs; ++intid)
        irouter_[intid] = mpidr_[0];
}

bool Vgic::is_hw(std::uint32_t intid) const {
    if (intid < 16)
        return false;
    if (intid < 32)
        return (hw_ppis_ >> intid) & 1u;
    return intid < nr_irqs_ && bit(hw_spis_.data(), intid);
}

void Vgic::follow_vcpu(std::uint32_t vcpu) {
    lib::LockGuard guard(lock_);
    for (std::uint32_t w = 1; w < nr_irqs_ / 32; ++w) {
        const std::uint32_t routed = hw_spis_[w] & spi_enabled_[w];
        for (std::uint32_t i = 0; routed != 0 && i < 32; ++i) {
            if (((routed >> i) & 1u) != 0 && spi_target_[w * 32 + i] == vcpu)
                host_.route_physical(w * 32 + i, vcpu);
        }
    }
}

std::uint32_t Vgic::target_of(std::uint32_t intid) const {
    return intid >= 32 && intid < nr_irqs_ ? spi_target_[intid] : 0;
}

void Vgic::set_enabled(std::uint32_t vcpu, std::uint32_t intid, bool enabled) {
    bool was = false;
    bool pending = false;
    std::uint32_t target = vcpu;
    if (intid < 32) {
        Private& p = private_[vcpu];
        was = (p.enabled >> intid) & 1u;
        p.enabled = enabled ? p.enabled | (1u << intid) : p.enabled & ~(1u << intid);
        pending = (p.pending >> intid) & 1u;
    } else {
        std::uint32_t& word = spi_enabled_[intid / 32];
        was = (word >> (intid % 32)) & 1u;
        word = enabled ? word | (1u << (intid % 32)) : word & ~(1u << (intid % 32));
        pending = bit(spi_pending_.data(), intid);
        target = spi_target_[intid];
    }
    if (was != enabled && is_hw(intid))
        host_.set_physical_enabled(intid, vcpu, enabled);
    if (enabled && !was && pending)
        host_.kick(target);
}

void Vgic::set_edge(std::uint32_t intid, bool edge) {
    std::uint32_t& word = spi_edge_[intid / 32];
    const bool was = (word >> (intid % 32)) & 1u;
    word = edge ? word | (1u << (intid % 32)) : word & ~(1u << (intid % 32));
    if (was != edge && is_hw(intid))
        host_.set_physical_edge(intid, edge);
}

void Vgic::route(std::uint32_t intid, std::uint64_t irouter) {
    irouter_[intid] = irouter & (kAffinityMask | (1ull << 31));
    std::uint32_t target = 0;  // IRM (any CPU) and unknown affinities go to vCPU 0
    if ((irouter & (1ull << 31)) == 0) {
        for (std::uint32_t v = 0; v < vcpus_; ++v) {
            if (mpidr_[v] == irouter_affinity(irouter))
                target = v;
        }
    }
    if (spi_target_[intid] != target || is_hw(intid)) {
        spi_target_[intid] = static_cast<std::uint8_t>(target);
        if (is_hw(intid))
            host_.route_physical(intid, target);
    }
}

bool Vgic::dist_read(std::uint64_t offset, unsigned size, std::uint64_t& value) {
    lib::LockGuard guard(lock_);
    value = 0;
    if (in(offset, kIpriorityr, nr_irqs_)) {
        for (unsigned i = 0; i < size && i < 8; ++i) {
            const std::uint32_t intid = static_cast<std::uint32_t>(offset - kIpriorityr) + i;
            if (intid >= 32 && intid < nr_irqs_)
                value |= std::uint64_t{spi_priority_[intid]} << (8 * i);
        }
        return size == 1 || size == 4;
    }
    if (in(offset, kIrouter, 8ull * nr_irqs_)) {
        const std::uint32_t intid = static_cast<std::uint32_t>((offset - kIrouter) / 8);
        const std::uint64_t v = intid >= 32 ? irouter_[intid] : 0;
        value = (offset % 8) == 4 ? v >> 32 : (size == 4 ? v & 0xffffffffu : v);
        return size == 4 || size == 8;
    }
    if (size != 4)
        return false;
    const std::uint32_t words = nr_irqs_ / 32;
    auto word_of = [&](std::uint64_t base) {
        return static_cast<std::uint32_t>((offset - base) / 4);
    };
    if (offset == kCtlr) {
        value = ctlr_ | kCtlrAre | kCtlrDs;
    } else if (offset == kTyper) {
        value = (words - 1) | ((vcpus_ - 1) << 5) | (9u << 19) | (1u << 25);
    } else if (offset == kIidr) {
        value = kIidrValue;
    } else if (in(offset, kIgroupr, 4 * words)) {
        value = word_of(kIgroupr) == 0 ? 0 : 0xffffffffu;  // every SPI is group 1
    } else if (in(offset, kIsenabler, 4 * words) || in(offset, kIcenabler, 4 * words)) {
        const std::uint32_t w =
            word_of(in(offset, kIsenabler, 4 * words) ? kIsenabler : kIcenabler);
        value = w == 0 ? 0 : spi_enabled_[w];
    } else if (in(offset, kIspendr, 4 * words) || in(offset, kIcpendr, 4 * words)) {
        const std::uint32_t w = word_of(in(offset, kIspendr, 4 * words) ? kIspendr : kIcpendr);
        value = w == 0 ? 0 : spi_pending_[w];
    } else if (in(offset, kIcfgr, 8 * words)) {
        const std::uint32_t w = word_of(kIcfgr);  // 16 INTIDs per word
        std::uint32_t v = 0;
        for (std::uint32_t i = 0; i < 16; ++i) {
            const std::uint32_t intid = w * 16 + i;
            if (intid >= 32 && bit(spi_edge_.data(), intid))
                v |= 2u << (2 * i);
        }
        value = v;
    } else if (offset == kPidr2) {
        value = kPidr2Gicv3;
    }
    return true;  // everything else reads as zero
}

bool Vgic::dist_write(std::uint64_t offset, unsigned size, std::uint64_t value) {
    lib::LockGuard guard(lock_);
    if (in(offset, kIpriorityr, nr_irqs_)) {
        if (size != 1 && size != 4)
            return false;
        for (unsigned i = 0; i < size; ++i) {
            const std::uint32_t intid = static_cast<std::uint32_t>(offset - kIpriorityr) + i;
            if (intid >= 32 && intid < nr_irqs_)
                spi_priority_[intid] = static_cast<std::uint8_t>(value >> (8 * i));
        }
        return true;
    }
    if (in(offset, kIrouter, 8ull * nr_irqs_)) {
        if (size != 4 && size != 8)
            return false;
        const std::uint32_t intid = static_cast<std::uint32_t>((offset - kIrouter) / 8);
        if (intid < 32)
            return true;
        std::uint64_t v = irouter_[intid];
        if (size == 8)
            v = value;
        else if (offset % 8 == 4)
            v = (v & 0xffffffffu) | (value << 32);
        else
            v = (v & ~0xffffffffull) | (value & 0xffffffffu);
        route(intid, v);
        return true;
    }
    if (size != 4)
        return false;
    const std::uint32_t words = nr_irqs_ / 32;
    const auto v32 = static_cast<std::uint32_t>(value);
    auto each_bit = [&](std::uint64_t base, auto&& apply) {
        const std::uint32_t w = static_cast<std::uint32_t>((offset - base) / 4);
        if (w == 0)
            return;  // SGIs and PPIs live in the redistributors
        for (std::uint32_t i = 0; i < 32; ++i) {
            if ((v32 >> i) & 1u)
                apply(w * 32 + i);
        }
    };
    if (offset == kCtlr) {
        ctlr_ = v32 & kCtlrEnableMask;
    } else if (in(offset, kIsenabler, 4 * words)) {
        each_bit(kIsenabler, [&](std::uint32_t intid) { set_enabled(0, intid, true); });
    } else if (in(offset, kIcenabler, 4 * words)) {
        each_bit(kIcenabler, [&](std::uint32_t intid) { set_enabled(0, intid, false); });
    } else if (in(offset, kIspendr, 4 * words)) {
        each_bit(kIspendr, [&](std::uint32_t intid) {
            spi_pending_[intid / 32] |= 1u << (intid % 32);
            if (bit(spi_enabled_.data(), intid))
                host_.kick(spi_target_[intid]);
        });
    } else if (in(offset, kIcpendr, 4 * words)) {
        each_bit(kIcpendr,
                 [&](std::uint32_t intid) { spi_pending_[intid / 32] &= ~(1u << (intid % 32)); });
    } else if (in(offset, kIcfgr, 8 * words)) {
        const std::uint32_t w = static_cast<std::uint32_t>((offset - kIcfgr) / 4);
        for (std::uint32_t i = 0; i < 16; ++i) {
            const std::uint32_t intid = w * 16 + i;
            if (intid >= 32 && intid < nr_irqs_)
                set_edge(intid, (v32 >> (2 * i + 1)) & 1u);
        }
    }
    // IGROUPR (RAO/WI), ISACTIVER/ICACTIVER (the list registers hold activity), IGRPMODR,
    // NSACR, SGIR and the message-based SPI registers: ignored.
    return true;
}

std::uint64_t Vgic::redist_typer(std::uint32_t vcpu) const {
    const std::uint64_t mpidr = mpidr_[vcpu];
    const std::uint64_t affinity = ((mpidr >> 8) & 0xff000000ull) | (mpidr & 0xffffffull);
    return (affinity << 32) | (std::uint64_t{vcpu} << 8) | (vcpu + 1 == vcpus_ ? 1u << 4 : 0);
}

bool Vgic::redist_read(std::uint64_t offset, unsigned size, std::uint64_t& value) {
    value = 0;
    const std::uint64_t frame = offset / kRedistStride;
    if (frame >= vcpus_)
        return true;  // beyond the last redistributor: nothing there
    const auto vcpu = static_cast<std::uint32_t>(frame);
    offset %= kRedistStride;
    lib::LockGuard guard(lock_);
    if (offset >= kSgiFrame)
        return sgi_frame_read(vcpu, offset - kSgiFrame, size, value);
    if (offset == kRdTyper || offset == kRdTyper + 4) {
        const std::uint64_t typer = redist_typer(vcpu);
        value = offset == kRdTyper + 4 ? typer >> 32 : (size == 8 ? typer : typer & 0xffffffffu);
        return size == 4 || size == 8;
    }
    if (size != 4 && size != 8)
        return false;
    if (offset == 0x4) {
        value = kIidrValue;
    } else if (offset == kRdWaker) {
        value = private_[vcpu].asleep ? 0x6 : 0;  // ProcessorSleep, ChildrenAsleep
    } else if (offset == kPidr2) {
        value = kPidr2Gicv3;
    }
    return true;  // GICR_CTLR (no LPIs), PROPBASER, PENDBASER, ...: zero
}

bool Vgic::redist_write(std::uint64_t offset, unsigned size, std::uint64_t value) {
    const std::uint64_t frame = offset / kRedistStride;
    if (frame >= vcpus_)
        return true;
    const auto vcpu = static_cast<std::uint32_t>(frame);
    offset %= kRedistStride;
    lib::LockGuard guard(lock_);
    if (offset >= kSgiFrame)
        return sgi_frame_write(vcpu, offset - kSgiFrame, size, value);
    if (size != 4 && size != 8)
        return false;
    if (offset == kRdWaker)
        private_[vcpu].asleep = (value & 0x2) != 0;
    return true;
}

bool Vgic::sgi_frame_read(std::uint32_t vcpu, std::uint64_t offset, unsigned size,
                          std::uint64_t& value) {
    const Private& p = private_[vcpu];
    if (in(offset, kIpriorityr, 32)) {
        for (unsigned i = 0; i < size && i < 4; ++i)
            value |= std::uint64_t{p.priority[offset - kIpriorityr + i]} << (8 * i);
        return size == 1 || size == 4;
    }
    if (size != 4)
        return false;
    switch (offset) {
        case kIgroupr:
            value = 0xffffffffu;
            break;
        case kIsenabler:
        case kIcenabler:
            value = p.enabled;
            break;
        case kIspendr:
        case kIcpendr:
            value = p.pending;
            break;
        case kIcfgr:
            value = 0xaaaaaaaau;  // SGIs: edge, fixed
            break;
        case kIcfgr + 4: {
            std::uint32_t v = 0;
            for (std::uint32_t i = 0; i < 16; ++i) {
                if ((p.edge >> (16 + i)) & 1u)
                    v |= 2u << (2 * i);
            }
            value = v;
            break;
        }
        default:
            break;  // ISACTIVER0/ICACTIVER0, IGRPMODR0, NSACR: zero
    }
    return true;
}

bool Vgic::sgi_frame_write(std::uint32_t vcpu, std::uint64_t offset, unsigned size,
                           std::uint64_t value) {
    Private& p = private_[vcpu];
    if (in(offset, kIpriorityr, 32)) {
        if (size != 1 && size != 4)
            return false;
        for (unsigned i = 0; i < size; ++i)
            p.priority[offset - kIpriorityr + i] = static_cast<std::uint8_t>(value >> (8 * i));
        return true;
    }
    if (size != 4)
        return false;
    const auto v32 = static_cast<std::uint32_t>(value);
    for (std::uint32_t intid = 0; intid < 32; ++intid) {
        if (offset == kIcfgr + 4 || ((v32 >> intid) & 1u) == 0)
            continue;
        switch (offset) {
            case kIsenabler:
                set_enabled(vcpu, intid, true);
                break;
            case kIcenabler:
                set_enabled(vcpu, intid, false);
                break;
            case kIspendr:
                p.pending |= 1u << intid;
                if ((p.enabled >> intid) & 1u)
                    host_.kick(vcpu);
                break;
            case kIcpendr:
                p.pending &= ~(1u << intid);
                break;
            default:
                break;
        }
    }
    if (offset == kIcfgr + 4) {
        for (std::uint32_t i = 0; i < 16; ++i) {
            const std::uint32_t mask = 1u << (16 + i);
            p.edge = (v32 >> (2 * i + 1)) & 1u ? p.edge | mask : p.edge & ~mask;
        }
    }
    return true;
}

void Vgic::write_sgi1r(std::uint32_t from, std::uint64_t value) {
    const auto intid = static_cast<std::uint32_t>((value >> 24) & 0xf);
    const bool all_but_self = (value >> 40) & 1u;
    const std::uint64_t aff3 = (value >> 48) & 0xff;
    const std::uint64_t aff2 = (value >> 32) & 0xff;
    const std::uint64_t aff1 = (value >> 16) & 0xff;
    const std::uint64_t range = (value >> 44) & 0xf;
    const auto targets = static_cast<std::uint32_t>(value & 0xffff);
    std::uint32_t kicks = 0;
    {
        lib::LockGuard guard(lock_);
        for (std::uint32_t v = 0; v < vcpus_; ++v) {
            bool hit = false;
            if (all_but_self) {
                hit = v != from;
            } else {
                const std::uint64_t m = mpidr_[v];
                const std::uint64_t aff0 = m & 0xff;
                hit = ((m >> 32) & 0xff) == aff3 && ((m >> 16) & 0xff) == aff2 &&
                      ((m >> 8) & 0xff) == aff1 && aff0 / 16 == range &&
                      ((targets >> (aff0 % 16)) & 1u);
            }
            if (hit) {
                private_[v].pending |= 1u << intid;
                if ((private_[v].enabled >> intid) & 1u)
                    kicks |= 1u << v;
            }
        }
    }
    for (std::uint32_t v = 0; v < vcpus_; ++v) {
        if ((kicks >> v) & 1u)
            host_.kick(v);
    }
}

bool Vgic::raise(std::uint32_t vcpu, std::uint32_t intid) {
    bool kick = false;
    std::uint32_t target = vcpu;
    {
        lib::LockGuard guard(lock_);
        if (intid < 32) {
            if (vcpu >= vcpus_)
                return false;
            private_[vcpu].pending |= 1u << intid;
            kick = (private_[vcpu].enabled >> intid) & 1u;
        } else if (intid < nr_irqs_) {
            spi_pending_[intid / 32] |= 1u << (intid % 32);
            kick = bit(spi_enabled_.data(), intid);
            target = spi_target_[intid];
        } else {
            return false;
        }
    }
    if (kick)
        host_.kick(target);
    return true;
}

std::size_t Vgic::take_pending(std::uint32_t vcpu, Pending* out, std::size_t max) {
    if (vcpu >= vcpus_ || max == 0)
        return 0;
    lib::LockGuard guard(lock_);
    std::size_t n = 0;
    // Insert keeping the best `max` (lowest priority value first, then lowest INTID).
    auto consider = [&](std::uint32_t intid, std::uint8_t priority) {
        std::size_t at = n;
        while (at > 0 && out[at - 1].priority > priority)
            --at;
        if (at >= max)
            return;
        for (std::size_t k = (n < max ? n : max - 1); k > at; --k)
            out[k] = out[k - 1];
        out[at] = Pending{intid, priority, is_hw(intid)};
        if (n < max)
            ++n;
    };
    Private& p = private_[vcpu];
    const std::uint32_t ready = p.pending & p.enabled;
    for (std::uint32_t intid = 0; intid < 32; ++intid) {
        if ((ready >> intid) & 1u)
            consider(intid, p.priority[intid]);
    }
    if (ctlr_ & 0x2) {  // EnableGrp1: SPIs are forwarded
        for (std::uint32_t w = 1; w < nr_irqs_ / 32; ++w) {
            const std::uint32_t spi_ready = spi_pending_[w] & spi_enabled_[w];
            for (std::uint32_t i = 0; spi_ready != 0 && i < 32; ++i) {
                const std::uint32_t intid = w * 32 + i;
                if (((spi_ready >> i) & 1u) && spi_target_[intid] == vcpu)
                    consider(intid, spi_priority_[intid]);
            }
        }
    }
    for (std::size_t k = 0; k < n; ++k) {
        const std::uint32_t intid = out[k].intid;
        if (intid < 32)
            p.pending &= ~(1u << intid);
        else
            spi_pending_[intid / 32] &= ~(1u << (intid % 32));
    }
    return n;
}

void Vgic::put_back(std::uint32_t vcpu, const Pending& pending) {
    lib::LockGuard guard(lock_);
    if (pending.intid < 32) {
        if (vcpu < vcpus_)
            private_[vcpu].pending |= 1u << pending.intid;
    } else if (pending.intid < nr_irqs_) {
        spi_pending_[pending.intid / 32] |= 1u << (pending.intid % 32);
    }
}

bool Vgic::has_pending(std::uint32_t vcpu) const {
    if (vcpu >= vcpus_)
        return false;
    lib::LockGuard guard(lock_);
    if (private_[vcpu].pending & private_[vcpu].enabled)
        return true;
    if ((ctlr_ & 0x2) == 0)
        return false;
    for (std::uint32_t w = 1; w < nr_irqs_ / 32; ++w) {
        const std::uint32_t ready = spi_pending_[w] & spi_enabled_[w];
        for (std::uint32_t i = 0; ready != 0 && i < 32; ++i) {
            if (((ready >> i) & 1u) && spi_target_[w * 32 + i] == vcpu)
                return true;
        }
    }
    return false;
}

}  // namespace tern::hv
