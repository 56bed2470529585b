// Running a guest at EL1: stage-2 tables (Arm ARM D8, VMSAv8-64 stage 2), the EL2 controls
// (HCR_EL2 D19.2.49, VTCR_EL2 D19.2.166, CNTHCTL_EL2 D19.2.21) a vCPU runs with.
#include <cstdint>

#include "tern/arch/guest.hpp"

#include "arch/arm64/exit_counts.hpp"
#include "arch/arm64/vcpu_switch.hpp"
#include "lib/spinlock.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/arch/gic.hpp"

namespace tern::arch {
namespace {

constexpr std::size_t kEntries = 512;
constexpr std::uint64_t kGiB = 1ull << 30;
constexpr std::uint64_t kBlock2M = 2ull << 20;
constexpr std::size_t kMaxL2 = 8;  // 1 GiB tables of 2 MiB blocks

alignas(4096) std::uint64_t g_s2_l1[kEntries];
alignas(4096) std::uint64_t g_s2_l2[kMaxL2][kEntries];

// Stage-2 block attributes: MemAttr[5:2] (0b1111 normal write-back, 0b0001 Device-nGnRE),
// S2AP[7:6] = 0b11 read/write, SH[9:8], AF[10].
constexpr std::uint64_t kS2Normal = (0xfull << 2) | (3ull << 6) | (3ull << 8) | (1ull << 10) | 0x1;
constexpr std::uint64_t kS2Device = (0x1ull << 2) | (3ull << 6) | (1ull << 10) | (1ull << 54) | 0x1;

constexpr std::uint64_t kVtcr = (25ull << 0)   // T0SZ: 39-bit guest physical addresses
                                | (1ull << 6)  // SL0: start at level 1
                                | (1ull << 8) | (1ull << 10) | (3ull << 12)  // WB, inner shareable
                                | (0ull << 14)                               // TG0: 4 KiB
                                | (2ull << 16)                               // PS: 40 bits
                                | (1ull << 31);                              // RES1

constexpr std::uint64_t kHcr = (1ull << 0)      // VM: stage 2 on
                               | (1ull << 1)    // SWIO
                               | (1ull << 3)    // FMO: FIQs to EL2, virtual FIQs to EL1
                               | (1ull << 4)    // IMO: IRQs to EL2, the guest sees the vGIC
                               | (1ull << 19)   // TSC: SMC traps to EL2
                               | (1ull << 31);  // RW: EL1 is AArch64

std::size_t g_l2_used = 0;
std::uint64_t g_vttbr = 0;
std::uint64_t g_ram_base = 0;
std::uint64_t g_ram_size = 0;  // set once by setup_stage2, loaded by every CPU entering the guest

constexpr std::size_t kMaxL3 = 32;  // 2 MiB regions split into pages, before the page source
alignas(4096) std::uint64_t g_s2_l3[kMaxL3][kEntries];
std::size_t g_l3_used = 0;
std::uint64_t (*g_table_pages)() = nullptr;  // zeroed pages for more level-3 tables
lib::SpinLock g_stage2_lock;                 // dom0's vCPUs edit its stage 2 concurrently
bool g_domain_vcpu_here[kMaxCpus] = {};      // each CPU writes only its own

std::uint64_t* new_l3_table() {
    if (g_l3_used < kMaxL3)
        return g_s2_l3[g_l3_used++];
    const std::uint64_t page = g_table_pages != nullptr ? g_table_pages() : 0;
    return reinterpret_cast<std::uint64_t*>(page);
}

std::uint64_t* l2_for(std::uint64_t address) {
    const std::size_t i = address / kGiB;
    if ((g_s2_l1[i] & 3) == 3)
        return reinterpret_cast<std::uint64_t*>(g_s2_l1[i] & 0xfffffffff000ull);
    if (g_l2_used == kMaxL2)
        return nullptr;
    std::uint64_t* table = g_s2_l2[g_l2_used++];
    for (std::size_t k = 0; k < kEntries; ++k)
        table[k] = 0;
    g_s2_l1[i] = reinterpret_cast<std::uintptr_t>(table) | 3;  // table descriptor
    return table;
}

bool map_2m(std::uint64_t start, std::uint64_t end, std::uint64_t attrs) {
    for (std::uint64_t a = start & ~(kBlock2M - 1); a < end; a += kBlock2M) {
        std::uint64_t* l2 = l2_for(a);
        if (l2 == nullptr)
            return false;
        std::uint64_t& entry = l2[(a % kGiB) / kBlock2M];
        if (entry == 0)
            entry = a | attrs;  // never over an existing (RAM, split) mapping
    }
    return true;
}

// The level-3 table for the 2 MiB region of `ipa`, splitting a block mapping into pages with
// the same attributes (an unmapped region becomes a table of unmapped pages).
std::uint64_t* l3_for(std::uint64_t ipa) {
    std::uint64_t* l2 = l2_for(ipa);
    if (l2 == nullptr)
        return nullptr;
    std::uint64_t& entry = l2[(ipa % kGiB) / kBlock2M];
    std::uint64_t* l3 = nullptr;
    if ((entry & 3) == 3) {
        l3 = reinterpret_cast<std::uint64_t*>(entry & 0xfffffffff000ull);
    } else {
        l3 = new_l3_table();
        if (l3 == nullptr)
            return nullptr;
        // A block becomes 512 pages with the same attributes; nothing mapped stays unmapped.
        const bool block = (entry & 3) == 1;
        const std::uint64_t base = entry & 0xffffffe00000ull;
        const std::uint64_t attrs = entry & ~0xffffffe00000ull & ~3ull;
        for (std::size_t k = 0; k < kEntries; ++k)
            l3[k] = block ? (base + k * 4096) | attrs | 3 : 0;
        asm volatile("dsb ish" ::: "memory");
        entry = reinterpret_cast<std::uintptr_t>(l3) | 3;
    }
    return l3;
}

// Guest virtual to machine physical through the guest's translation (AT S12E1R/W). PAR_EL1
// is the guest's register (its own AT instructions leave their result there): it is saved
// and put back around the walk.
bool translate(std::uint64_t va, bool write, std::uint64_t& pa) {
    std::uint64_t guests = 0;
    std::uint64_t par = 0;
    asm volatile("mrs %0, par_el1" : "=r"(guests));
    if (write) {
        asm volatile("at s12e1w, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(va));
    } else {
        asm volatile("at s12e1r, %1\n isb\n mrs %0, par_el1" : "=r"(par) : "r"(va));
    }
    asm volatile("msr par_el1, %0" : : "r"(guests));
    if (par & 1)
        return false;  // PAR_EL1.F: the walk faulted
    pa = (par & 0x0000fffffffff000ull) | (va & 0xfff);
    return true;
}

}  // namespace

std::uint64_t dom0_vttbr() {
    return g_vttbr;
}

void set_stage2_table_source(std::uint64_t (*zeroed_page)()) {
    g_table_pages = zeroed_page;
}

bool guest_page_is_mapped(std::uint64_t ipa) {
    lib::LockGuard guard(g_stage2_lock);
    const std::size_t i = ipa / kGiB;
    if (i >= kEntries || (g_s2_l1[i] & 3) != 3)
        return false;
    const auto* l2 = reinterpret_cast<const std::uint64_t*>(g_s2_l1[i] & 0xfffffffff000ull);
    const std::uint64_t entry = l2[(ipa % kGiB) / kBlock2M];
    if ((entry & 3) != 3)
        return (entry & 3) == 1;  // a block, or nothing
    const auto* l3 = reinterpret_cast<const std::uint64_t*>(entry & 0xfffffffff000ull);
    return (l3[(ipa >> 12) & 511] & 3) == 3;
}

bool unmap_guest_range(std::uint64_t base, std::uint64_t size) {
    lib::LockGuard guard(g_stage2_lock);
    for (std::uint64_t a = base & ~0xfffull; a < base + size; a += 4096) {
        std::uint64_t* l2 = l2_for(a);
        if (l2 == nullptr)
            return false;
        std::uint64_t& entry = l2[(a % kGiB) / kBlock2M];
        if ((entry & 3) == 0)
            continue;  // nothing mapped in this 2 MiB
        if ((entry & 3) == 1 && a % kBlock2M == 0 && a + kBlock2M <= base + size) {
            entry = 0;  // a whole block goes
            a += kBlock2M - 4096;
            continue;
        }
        std::uint64_t* l3 = l3_for(a);
        if (l3 == nullptr)
            return false;
        l3[(a >> 12) & 511] = 0;
    }
    asm volatile("dsb ish\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
    return true;
}

void flush_guest_tlb(std::uint64_t vttbr) {
    if ((vttbr & ((1ull << 48) - 1)) == 0)
        return;  // no tables yet: nothing was ever translated
    // TLBI by VMID acts on VTTBR_EL2's VMID: switch to it for the broadcast, then back.
    std::uint64_t current = 0;
    asm volatile("mrs %0, vttbr_el2" : "=r"(current));
    asm volatile(
        "dsb ishst\n"
        "msr vttbr_el2, %0\n"
        "isb\n"
        "tlbi vmalls12e1is\n"
        "dsb ish\n"
        "msr vttbr_el2, %1\n"
        "isb\n"
        :
        : "r"(vttbr), "r"(current)
        : "memory");
}

bool guest_frame_is_ram(std::uint64_t gfn) {
    const std::uint64_t address = gfn << 12;
    return (address >> 12) == gfn && address >= g_ram_base && address - g_ram_base < g_ram_size;
}

bool map_guest_device(std::uint64_t base, std::uint64_t size) {
    constexpr std::uint64_t kIpaLimit = 1ull << 39;
    if (size == 0 || base >= kIpaLimit || size > kIpaLimit - base)
        return false;
    const bool ok = map_2m(base, base + size, kS2Device);
    asm volatile("dsb ish\n tlbi vmalls12e1is\n dsb ish\n isb" ::: "memory");
    return ok;
}

bool map_guest_page(std::uint64_t ipa, std::uint64_t pa, bool writable) {
    lib::LockGuard guard(g_stage2_lock);
    std::uint64_t* l3 = l3_for(ipa);
    if (l3 == nullptr)
        return false;
    constexpr std::uint64_t kS2apWrite = 1ull << 7;  // S2AP[1]: 0b01 is read-only
    const std::uint64_t attrs = writable ? kS2Normal : kS2Normal & ~kS2apWrite;
    l3[(ipa >> 12) & 511] = (pa & 0xfffffffff000ull) | attrs | 3;
    asm volatile(
        "dsb ish\n"
        "tlbi ipas2e1is, %0\n"
        "dsb ish\n"
        "tlbi vmalle1is\n"
        "dsb ish\n"
        "isb\n"
        :
        : "r"(ipa >> 12)
        : "memory");
    return true;
}

void setup_stage2(std::uint64_t ram_base, std::uint64_t ram_size, std::uint64_t device_limit) {
    g_ram_base = ram_base;
    g_ram_size = ram_size;
    for (std::size_t i = 0; i < kEntries; ++i)
        g_s2_l1[i] = 0;
    map_2m(ram_base, ram_base + ram_size, kS2Normal);
    map_2m(0, device_limit, kS2Device);
    asm volatile("dsb ish" ::: "memory");
    const std::uint64_t vttbr = reinterpret_cast<std::uintptr_t>(g_s2_l1) | (1ull << 48);  // VMID 1
    g_vttbr = vttbr;
    asm volatile(
        "msr vtcr_el2, %0\n"
        "msr vttbr_el2, %1\n"
        "isb\n"
        "tlbi alle1\n"
        "dsb ish\n"
        "isb\n"
        :
        : "r"(kVtcr), "r"(vttbr)
        : "memory");
}

namespace {

// Loads a guest's stage 2 (tables and VMID) on this CPU, and flushes this CPU's EL1 TLB
// entries for its VMID unless they may be kept.
void load_stage2(std::uint64_t vttbr, StaleTlb tlb) {
    asm volatile(
        "msr vtcr_el2, %0\n"
        "msr vttbr_el2, %1\n"
        "isb\n"
        :
        : "r"(kVtcr), "r"(vttbr)
        : "memory");
    if (tlb == StaleTlb::keep)
        return;
    count(ExitCount::tlb_flush);
    asm volatile("tlbi vmalls12e1\n dsb nsh\n isb" ::: "memory");
}

}  // namespace

void enter_domain_vcpu_state(std::uint64_t vttbr, std::uint64_t vmpidr, StaleTlb tlb,
                             TlbMaintenance maintenance) {
    constexpr std::uint64_t kTwi = 1ull << 13;   // WFI traps: a waiting vCPU gives its CPU up
    constexpr std::uint64_t kTtlb = 1ull << 25;  // TLBIs at EL1 trap (handle_local_tlbi)
    const std::uint64_t hcr = kHcr | kTwi | (maintenance == TlbMaintenance::local ? kTtlb : 0);
    // EL1PCTEN: the counter is readable; EL1PCEN clear: the EL1 physical timer's registers
    // trap, to the vCPU's emulated one (hv::PhysicalTimer).
    const std::uint64_t cnthctl = 1;
    const std::uint64_t icc_sre = 0xf;  // ICC_SRE_EL2: SRE, DFB, DIB, Enable
    g_domain_vcpu_here[current_cpu_index() % kMaxCpus] = true;
    load_stage2(vttbr, tlb);
    asm volatile(
        "msr hcr_el2, %0\n"
        "msr cnthctl_el2, %1\n"
        "msr cntvoff_el2, xzr\n"
        "msr S3_4_C12_C9_5, %2\n"  // ICC_SRE_EL2
        "msr vmpidr_el2, %3\n"
        "isb\n"
        :
        : "r"(hcr), "r"(cnthctl), "r"(icc_sre), "r"(vmpidr)
        : "memory");
}

bool domain_vcpu_here() {
    return g_domain_vcpu_here[current_cpu_index() % kMaxCpus];
}

void leave_domain_vcpu() {
    if (!g_domain_vcpu_here[current_cpu_index() % kMaxCpus])
        return;
    g_domain_vcpu_here[current_cpu_index() % kMaxCpus] = false;
    // Nothing of it stays: its timer stops, its interrupt is neither enabled nor active, its
    // list registers are empty and the virtual interface serves nobody.
    asm volatile("msr cntv_ctl_el0, xzr\n isb" ::: "memory");
    gic_reset_ppi(current_cpu_id(), kVirtualTimerPpi);
    set_cpu_vcpu(nullptr, 0);
}

bool copy_from_guest(std::uint64_t va, void* out, std::size_t size) {
    auto* dst = static_cast<std::uint8_t*>(out);
    while (size > 0) {
        std::uint64_t pa = 0;
        if (!translate(va, false, pa))
            return false;
        const std::size_t chunk = size < 4096 - (va & 0xfff) ? size : 4096 - (va & 0xfff);
        __builtin_memcpy(dst, reinterpret_cast<const void*>(pa), chunk);
        dst += chunk;
        va += chunk;
        size -= chunk;
    }
    return true;
}

bool copy_to_guest(std::uint64_t va, const void* in, std::size_t size) {
    const auto* src = static_cast<const std::uint8_t*>(in);
    while (size > 0) {
        std::uint64_t pa = 0;
        if (!translate(va, true, pa))
            return false;
        const std::size_t chunk = size < 4096 - (va & 0xfff) ? size : 4096 - (va & 0xfff);
        __builtin_memcpy(reinterpret_cast<void*>(pa), src, chunk);
        src += chunk;
        va += chunk;
        size -= chunk;
    }
    return true;
}

}  // namespace tern::arch
