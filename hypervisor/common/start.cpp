// The generic boot flow: the arch entry (head.S) calls tern_start on the boot CPU at EL2 with
// the device tree. It reads the tree, brings up the console and reports what it found.
// Bringing up the other CPUs, the MMU, the GIC and dom0 are the next steps; until they land
// Tern powers the machine off once it has reported.
#include <array>
#include <atomic>
#include <cstdint>
#include <new>

#include "common/boot_info.hpp"
#include "common/command_line.hpp"
#include "common/console.hpp"
#include "common/control_plane.hpp"
#include "common/dom0_device_tree.hpp"
#include "common/dom0_memory.hpp"
#include "common/domain.hpp"
#include "common/domain_vcpu_calls.hpp"
#include "common/event_channels.hpp"
#include "common/guest_calls.hpp"
#include "common/guest_devices.hpp"
#include "common/log_level.hpp"
#include "common/page_allocator.hpp"
#include "common/page_allocator_memory.hpp"
#include "common/vcpu_power.hpp"
#include "common/vcpu_scheduling.hpp"
#include "common/vgic.hpp"
#include "drivers/pl011.hpp"
#include "lib/fdt.hpp"
#include "lib/format.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/arch/exception.hpp"
#include "tern/arch/gic.hpp"
#include "tern/arch/guest.hpp"
#include "tern/arch/mmu.hpp"
#include "tern/arch/timer.hpp"

extern "C" char tern_image_start[];
extern "C" char tern_image_end[];
// The constructors of objects with static storage that the compiler could not initialise
// at build time (tern.ld collects them); run once, first thing, on the boot CPU.
using StaticConstructor = void (*)();
extern "C" StaticConstructor tern_init_array_start[];
extern "C" StaticConstructor tern_init_array_end[];

namespace tern::hv {
namespace {

// Set by the boot CPU before it starts the others; read by them.
Console* g_console = nullptr;
// Each CPU's MPIDR by index (index 0 is the boot CPU), for kicking a CPU.
std::uint64_t g_cpu_mpidr[Scheduler::kMaxCpus] = {};
std::size_t g_cpu_count = 0;
std::atomic<std::uint64_t> g_cpus_up{0};
// dom0's vCPUs by MPIDR (its device tree's CPUs); usable once g_vcpus_ready.
VcpuPower g_vcpus;
std::atomic<bool> g_vcpus_ready{false};

constexpr std::uint64_t k2MiB = 2ull << 20;
constexpr std::uint64_t kMpidrRes1 = 1ull << 31;
constexpr std::uint32_t kEventPpi = 15;  // INTID 31, Xen's GUEST_EVTCHN_PPI

// dom0's virtual GIC.
Vgic* g_vgic = nullptr;
alignas(Vgic) std::uint8_t g_vgic_storage[sizeof(Vgic)];

// dom0's event upcall is its virtual PPI.
class VgicUpcalls final : public UpcallSink {
  public:
    void raise_upcall(std::uint32_t vcpu) override {
        if (g_vgic != nullptr)
            (void)g_vgic->raise(vcpu, 16 + kEventPpi);
    }
};
VgicUpcalls g_upcalls;

// Which CPUs run which vCPUs of every domain, dom0's included, and when.
Scheduler g_scheduler;
// dom0's share of the scheduler: its weight, its vCPUs' affinity (dom0_vcpus_pin), its vGIC
// and stage 2.
SchedDomain g_dom0_sched;

// What dom0's vGIC does to the physical GIC: its devices' SPIs are enabled, configured and
// routed there, to the physical CPU the target vCPU runs on (they follow it when it moves:
// Vgic::follow_vcpu; one taken elsewhere meanwhile still reaches it, wherever it runs or
// waits: set_hardware_interrupt_vgic). Its timers and SGIs are virtual interrupts that move
// with its vCPUs.
class Dom0VgicHost final : public VgicHost {
  public:
    void set_physical_enabled(std::uint32_t intid, std::uint32_t vcpu, bool enabled) override {
        if (intid >= 32) {
            arch::gic_enable_spi(intid, enabled);
        } else if (auto mpidr = g_vcpus.mpidr_of(vcpu)) {
            arch::gic_enable_ppi(*mpidr, intid, enabled);
        }
    }
    void route_physical(std::uint32_t intid, std::uint32_t vcpu) override {
        // To the CPU the vCPU runs on (or last ran on); before it ever ran, that of its MPIDR.
        const SchedVcpu* v = g_scheduler.find(g_dom0_sched, vcpu);
        if (v != nullptr && v->interrupts_cpu < g_cpu_count)
            arch::gic_route_spi(intid, g_cpu_mpidr[v->interrupts_cpu]);
        else if (auto mpidr = g_vcpus.mpidr_of(vcpu))
            arch::gic_route_spi(intid, *mpidr);
    }
    void set_physical_edge(std::uint32_t intid, bool edge) override {
        arch::gic_set_spi_edge(intid, edge);
    }
    void kick(std::uint32_t vcpu) override {
        // A waiting vCPU runs again; the CPU it runs on takes the interrupt on its way back.
        kick_cpus(g_scheduler.wake(g_dom0_sched, vcpu, arch::system_time_ns()));
    }
};
Dom0VgicHost g_vgic_host;

alignas(EventChannels) std::uint8_t g_events_storage[sizeof(EventChannels)];

// The other domains and the control ABI dom0 manages them with.
alignas(PageAllocatorMemory) std::uint8_t g_machine_storage[sizeof(PageAllocatorMemory)];
alignas(DomainTable) std::uint8_t g_domains_storage[sizeof(DomainTable)];
alignas(ControlPlane) std::uint8_t g_control_storage[sizeof(ControlPlane)];
alignas(Dom0Memory) std::uint8_t g_dom0_memory_storage[sizeof(Dom0Memory)];
MachineMemory* g_machine = nullptr;
PageAllocatorMemory* g_page_memory = nullptr;  // the same, for the idle CPUs' scrubbing

// An idle CPU's piece of work with bootscrub=idle: 64 KiB of free pages zeroed ahead of the
// domains that will be given them; short, so that a vCPU to run waits little.
bool scrub_free_pages() {
    return g_page_memory->scrub_some(16);
}

// dom0's stage 2 as Dom0Memory edits it: its RAM is 1:1.
class Dom0Stage2 final : public Stage2Edit {
  public:
    bool is_ram_frame(std::uint64_t gfn) const override { return arch::guest_frame_is_ram(gfn); }
    bool is_mapped(std::uint64_t gfn) const override {
        return arch::guest_page_is_mapped(gfn << kPageShift);
    }
    bool map(std::uint64_t gfn, Paddr machine, MapAccess access) override {
        return arch::map_guest_page(gfn << kPageShift, machine.value,
                                    access == MapAccess::read_write);
    }
    bool unmap(std::uint64_t gfn) override {
        return arch::unmap_guest_range(gfn << kPageShift, kPageSize);
    }
};
Dom0Stage2 g_dom0_stage2;

void kick_cpu_mask(std::uint32_t cpus) {
    for (std::size_t i = 0; i < g_cpu_count; ++i) {
        if ((cpus >> i) & 1u)
            arch::gic_send_sgi(g_cpu_mpidr[i], arch::kKickSgi);
    }
}

class SchedRunner final : public DomainRunner {
  public:
    Status start(Domain& domain) override {
        if (domain.started()) {  // paused before: it goes on
            kick_cpus(g_scheduler.unpause(domain.sched(), arch::system_time_ns()));
            return Status::ok;
        }
        for (std::uint32_t i = 0; i < domain.config().max_vcpus; ++i) {
            const auto at = domain.vcpu_start(i);
            if (!at)
                break;
            const Status s = start_vcpu(domain, i, at->entry, at->context);
            if (s != Status::ok) {
                stop(domain);
                return s;
            }
        }
        return Status::ok;
    }
    void pause(Domain& domain) override {
        kick_cpus(g_scheduler.pause(domain.sched()));
        // Each of those CPUs takes the kick as an interrupt from the vCPU and switches away.
        while (g_scheduler.on_cpu(domain.sched())) {
        }
    }
    void stop(Domain& domain) override {
        kick_cpus(g_scheduler.stop(domain.sched()));
        while (g_scheduler.holds(domain.sched())) {
        }
    }
};
SchedRunner g_runner;

// Other domains' vGICs reach the CPUs their vCPUs run on, and wake them when they wait.
class PoolDomainHooks final : public DomainHooks {
  public:
    void kick(const Domain& domain, std::uint32_t vcpu) override {
        kick_cpus(g_scheduler.wake(domain.sched(), vcpu, arch::system_time_ns()));
    }
    void set_ppi_enabled(const Domain&, std::uint32_t, std::uint32_t, bool) override {
        // Their timers are virtual interrupts: no physical PPI follows them.
    }
    void flush_tlb(const Domain& domain) override {
        arch::flush_guest_tlb(domain.stage2().vttbr());
    }
};
PoolDomainHooks g_domain_hooks;

std::uint64_t stage2_table_page() {
    auto page = g_machine != nullptr ? g_machine->allocate_zeroed(1, 1) : Status::out_of_memory;
    return page.ok() ? page->value : 0;
}

constexpr std::size_t kMaxDeviceTreeSize = 2u << 20;  // what Linux and Xen accept too

const char* module_name(ModuleKind kind) {
    return kind == ModuleKind::kernel ? "kernel" : "ramdisk";
}

void report(lib::Out& out, const BootInfo& info, const HypervisorOptions& opts) {
    out << "(TERN) RAM " << lib::Bytes{info.total_ram()} << " in " << std::uint64_t{info.bank_count}
        << " bank(s)\n";
    for (std::size_t i = 0; i < info.bank_count; ++i) {
        const MemoryBank& b = info.banks[i];
        out << "(TERN)   bank " << std::uint64_t{i} << ": " << lib::Hex{b.base} << "-"
            << lib::Hex{b.base + b.size - 1} << " (" << lib::Bytes{b.size} << ")\n";
    }
    out << "(TERN) " << std::uint64_t{info.cpu_count} << " CPU(s), MPIDR";
    for (std::size_t i = 0; i < info.cpu_count; ++i)
        out << " " << lib::Hex{info.cpu_ids[i]};
    out << "\n";
    out << "(TERN) command line \"" << info.command_line << "\"\n";
    out << "(TERN) options dom0_mem=" << lib::Bytes{opts.dom0_mem}
        << " dom0_max_vcpus=" << opts.dom0_max_vcpus << " console=" << opts.console
        << " loglvl=" << log_level_name(opts.loglvl) << " (" << opts.unknown << " unknown, "
        << opts.invalid << " invalid)\n";
    for (std::size_t i = 0; i < info.module_count; ++i) {
        const BootModule& m = info.modules[i];
        out << "(TERN) dom0 " << module_name(m.kind) << " at " << lib::Hex{m.address} << ", "
            << m.size << " bytes";
        if (m.kind == ModuleKind::kernel)
            out << ", command line \"" << m.bootargs << "\"";
        out << "\n";
    }
}

// The page allocator over all RAM, less the image, the device tree, the boot modules and its
// own bitmap, which goes in the first free pages after the image.
Result<PageAllocator> make_allocator(lib::Out& out, const BootInfo& info, std::uintptr_t dtb,
                                     std::size_t dtb_size) {
    const std::span<const MemoryBank> banks(info.banks.data(), info.bank_count);
    const std::uint64_t image_start = reinterpret_cast<std::uintptr_t>(tern_image_start);
    const std::uint64_t image_end = reinterpret_cast<std::uintptr_t>(tern_image_end);
    const std::uint64_t bitmap_at = (image_end + kPageSize - 1) & ~(kPageSize - 1);
    const std::uint64_t bitmap_size = PageAllocator::bitmap_bytes(banks);
    PhysRange reserved[PageAllocator::kMaxReserved];
    const char* what[PageAllocator::kMaxReserved];
    std::size_t n = 0;
    reserved[n] = {Paddr{image_start}, image_end - image_start};
    what[n++] = "hypervisor image";
    reserved[n] = {Paddr{bitmap_at}, bitmap_size};
    what[n++] = "page bitmap";
    reserved[n] = {Paddr{dtb}, dtb_size};
    what[n++] = "device tree";
    for (std::size_t i = 0; i < info.module_count; ++i) {
        reserved[n] = {Paddr{info.modules[i].address}, info.modules[i].size};
        what[n++] = info.modules[i].kind == ModuleKind::kernel ? "dom0 kernel" : "dom0 ramdisk";
    }
    for (std::size_t i = 2; i < n; ++i) {
        const std::uint64_t a = reserved[i].start.value;
        if (a < bitmap_at + bitmap_size && bitmap_at < a + reserved[i].size) {
            out << "(TERN) the page bitmap would overlap the " << what[i] << "\n";
            return Status::out_of_range;
        }
    }
    for (std::size_t i = 0; i < n; ++i) {
        out << "(TERN) reserved " << lib::Hex{reserved[i].start.value} << "-"
            << lib::Hex{reserved[i].start.value + reserved[i].size - 1} << " " << what[i] << "\n";
    }
    auto* bits = reinterpret_cast<std::uint64_t*>(bitmap_at);
    return PageAllocator::create(banks, std::span<const PhysRange>(reserved, n),
                                 std::span<std::uint64_t>(bits, bitmap_size / 8));
}

// dom0's RAM (1:1: guest physical = machine physical, 2 MiB aligned so that stage 2 can use
// block mappings) and its device tree. Loading its kernel and entering it come next.
struct Dom0Layout {
    std::uint64_t ram_base = 0;
    std::uint64_t ram_size = 0;
    std::uint64_t tree = 0;
    std::uint64_t tree_size = 0;
    std::uint64_t initrd_at = 0;  // where its ramdisk goes in its RAM (0: none)
    std::uint64_t initrd_size = 0;
    std::uint32_t vcpus = 0;
};

// dom0's RAM from the top: its device tree in the last 2 MiB, its ramdisk below that on a
// 2 MiB boundary; its kernel at the bottom.
std::uint64_t dom0_tree_address(std::uint64_t ram_base, std::uint64_t ram_size) {
    return ram_base + ram_size - k2MiB;
}

std::uint64_t dom0_initrd_address(std::uint64_t ram_base, std::uint64_t ram_size,
                                  std::uint64_t initrd_size) {
    const std::uint64_t top = dom0_tree_address(ram_base, ram_size);
    if (initrd_size > top - ram_base)
        return 0;
    return (top - initrd_size) & ~(k2MiB - 1);
}

Dom0Layout prepare_dom0(lib::Out& out, const lib::Fdt& host, const BootInfo& info,
                        const HypervisorOptions& opts, PageAllocator& pages) {
    constexpr std::uint64_t kTreePages = 64;  // 256 KiB: QEMU's tree is about 8 KiB
    const std::uint64_t dom0_pages = pages_for(opts.dom0_mem);
    auto ram = pages.allocate(dom0_pages, 512);
    if (!ram.ok()) {
        out << "(TERN) dom0: cannot give it " << lib::Bytes{opts.dom0_mem} << ": "
            << pages.free_pages() << " pages free\n";
        return {};
    }
    auto tree = pages.allocate(kTreePages);
    if (!tree.ok()) {
        out << "(TERN) dom0: no room for its device tree\n";
        return {};
    }
    const std::uint32_t vcpus = opts.dom0_max_vcpus != 0 && opts.dom0_max_vcpus < info.cpu_count
                                    ? opts.dom0_max_vcpus
                                    : static_cast<std::uint32_t>(info.cpu_count);
    const MemoryBank bank{ram->value, opts.dom0_mem};
    const BootModule* kernel = info.module(ModuleKind::kernel);
    const BootModule* ramdisk = info.module(ModuleKind::ramdisk);
    Dom0TreeParams params;
    if (ramdisk != nullptr) {
        params.initrd_start = dom0_initrd_address(bank.base, bank.size, ramdisk->size);
        params.initrd_end = params.initrd_start + ramdisk->size;
        if (params.initrd_start == 0) {
            out << "(TERN) dom0: its ramdisk (" << lib::Bytes{ramdisk->size}
                << ") does not fit in its RAM\n";
            return {};
        }
    }
    params.ram = std::span<const MemoryBank>(&bank, 1);
    params.vcpus = vcpus;
    params.bootargs = kernel != nullptr ? kernel->bootargs : std::string_view();
    params.grant_table_base = reinterpret_cast<std::uintptr_t>(tern_image_start);
    params.grant_table_size = 0x40000;
    params.hypervisor_uart = info.uart_base.value_or(0);
    params.event_ppi = kEventPpi;
    auto written =
        write_dom0_device_tree(host, params,
                               std::span<std::uint8_t>(reinterpret_cast<std::uint8_t*>(tree->value),
                                                       kTreePages * kPageSize));
    if (!written.ok()) {
        out << "(TERN) dom0: cannot write its device tree\n";
        return {};
    }
    out << "(TERN) dom0: RAM " << lib::Hex{bank.base} << "-" << lib::Hex{bank.base + bank.size - 1}
        << " (" << lib::Bytes{bank.size} << "), " << vcpus << " vCPU(s), device tree at "
        << lib::Hex{tree->value} << " (" << written.value() << " bytes)\n";
    out << "(TERN) memory after dom0: " << pages.free_pages() << " pages free\n";
    return Dom0Layout{bank.base,
                      bank.size,
                      tree->value,
                      written.value(),
                      params.initrd_start,
                      ramdisk != nullptr ? ramdisk->size : 0,
                      vcpus};
}

void copy_bytes(std::uint64_t to, std::uint64_t from, std::uint64_t size) {
    auto* d = reinterpret_cast<std::uint8_t*>(to);
    const auto* s = reinterpret_cast<const std::uint8_t*>(from);
    for (std::uint64_t i = 0; i < size; ++i)
        d[i] = s[i];
}

// Loads dom0's kernel (an arm64 Image) at its RAM base plus text_offset and its device tree at
// the top of its RAM, maps its RAM and the devices below RAM 1:1 in stage 2, and enters it.
// Returns only when there is nothing to start.
void start_dom0(lib::Out& out, const lib::Fdt& host, const BootInfo& info, const Dom0Layout& dom0,
                const HypervisorOptions& opts, PageAllocator& pages) {
    const BootModule* kernel = info.module(ModuleKind::kernel);
    if (kernel == nullptr || dom0.ram_size == 0)
        return;
    const auto* header = reinterpret_cast<const std::uint8_t*>(kernel->address);
    const bool image = kernel->size >= 64 && header[56] == 'A' && header[57] == 'R' &&
                       header[58] == 'M' && header[59] == 0x64;
    if (!image) {
        out << "(TERN) dom0: the kernel module is not an arm64 Image: not starting it\n";
        return;
    }
    auto le64 = [header](std::size_t at) {
        std::uint64_t v = 0;
        for (int i = 7; i >= 0; --i)
            v = (v << 8) | header[at + static_cast<std::size_t>(i)];
        return v;
    };
    const std::uint64_t text_offset = le64(8);
    // image_size covers the kernel's BSS too (0 in old kernels: then the file size).
    const std::uint64_t image_size = le64(16) != 0 ? le64(16) : kernel->size;
    const std::uint64_t entry = dom0.ram_base + text_offset;
    const std::uint64_t tree_at = dom0_tree_address(dom0.ram_base, dom0.ram_size);
    const std::uint64_t kernel_limit = dom0.initrd_size != 0 ? dom0.initrd_at : tree_at;
    if (entry + image_size > kernel_limit) {
        out << "(TERN) dom0: its kernel (" << lib::Bytes{image_size}
            << ") and ramdisk do not fit in its RAM\n";
        return;
    }
    copy_bytes(entry, kernel->address, kernel->size);
    copy_bytes(tree_at, dom0.tree, dom0.tree_size);
    if (const BootModule* ramdisk = info.module(ModuleKind::ramdisk)) {
        copy_bytes(dom0.initrd_at, ramdisk->address, dom0.initrd_size);
        out << "(TERN) dom0: ramdisk at " << lib::Hex{dom0.initrd_at} << " ("
            << lib::Bytes{dom0.initrd_size} << ")\n";
    }
    // The boot modules are in dom0's RAM now: their pages go back to the allocator.
    std::uint64_t released = 0;
    for (std::size_t i = 0; i < info.module_count; ++i) {
        released += pages.release_reserved({Paddr{info.modules[i].address}, info.modules[i].size})
                        .value_or(0);
    }
    const std::uint64_t dom0_pages = dom0.ram_size / kPageSize;
    const std::uint64_t kept = pages.total_pages() - pages.free_pages() - dom0_pages;
    out << "(TERN) boot modules released (" << released << " pages); the hypervisor keeps "
        << lib::Bytes{kept * kPageSize} << " of RAM, " << pages.free_pages() << " pages free\n";
    arch::setup_stage2(dom0.ram_base, dom0.ram_size, info.banks[0].base);
    // Devices above RAM (the PCIe ECAM window, for one) pass through too.
    host.for_each_child(host.root(), [&](lib::Fdt::Node node) {
        if (host.string_property(node, "device_type") == std::string_view("memory"))
            return true;
        for (std::size_t i = 0; i < 4; ++i) {
            auto r = host.reg(host.root(), node, i);
            if (!r)
                break;
            if (r->address >= info.banks[0].base + info.banks[0].size) {
                (void)arch::map_guest_device(r->address, r->size);
            }
        }
        return true;
    });
    set_guest_console(g_console);
    auto* machine = new (g_machine_storage) PageAllocatorMemory(pages);
    g_machine = machine;
    g_page_memory = machine;
    arch::set_stage2_table_source(stage2_table_page);
    set_guest_pages(machine);
    auto* domains = new (g_domains_storage) DomainTable(*machine, &g_domain_hooks);
    auto* control = new (g_control_storage)
        ControlPlane(*domains, *machine, static_cast<std::uint32_t>(info.cpu_count));
    // dom0's vCPUs: the boot CPU's first, then every other CPU its device tree keeps.
    std::uint64_t mpidrs[VcpuPower::kMaxVcpus];
    std::size_t vcpu_count = 0;
    mpidrs[vcpu_count++] = arch::current_cpu_id();
    for (std::size_t i = 0; i < info.cpu_count && vcpu_count < VcpuPower::kMaxVcpus; ++i) {
        if (info.cpu_ids[i] != mpidrs[0] && info.cpu_ids[i] < dom0.vcpus)
            mpidrs[vcpu_count++] = info.cpu_ids[i];
    }
    g_vcpus.reset(mpidrs, vcpu_count < dom0.vcpus ? vcpu_count : dom0.vcpus);
    // Every CPU runs every domain's vCPUs, dom0's included (pinned one per CPU, the one of
    // its MPIDR, with dom0_vcpus_pin).
    g_scheduler.reset((1u << g_cpu_count) - 1);
    set_vcpu_scheduling(&g_scheduler, g_console, kick_cpu_mask);
    if (opts.bootscrub_idle)
        set_idle_work(scrub_free_pages);
    g_dom0_sched.id = 0;
    g_dom0_sched.weight = opts.dom0_weight;
    g_dom0_sched.vttbr = arch::dom0_vttbr();
    for (std::size_t v = 0; v < g_vcpus.count() && opts.dom0_vcpus_pin; ++v) {
        for (std::size_t i = 0; i < g_cpu_count; ++i) {
            if (g_vcpus.mpidr_of(v) == std::optional<std::uint64_t>(g_cpu_mpidr[i]))
                g_dom0_sched.affinity[v] = 1u << i;
        }
    }
    set_guest_vcpus(&g_vcpus, &g_dom0_sched);
    // dom0's GIC is virtual: the GIC's pages leave its stage 2 and trap to the Vgic; its
    // devices' SPIs (all but the hypervisor's UART's) are hardware-backed.
    std::array<std::uint32_t, Vgic::kMaxIrqs / 32> hw_spis{};
    const std::uint32_t nr_irqs =
        arch::gic_nr_irqs() < Vgic::kMaxIrqs ? arch::gic_nr_irqs() : Vgic::kMaxIrqs;
    for (std::uint32_t intid = 32; intid < nr_irqs; ++intid) {
        if (!info.uart_intid || intid != *info.uart_intid)
            hw_spis[intid / 32] |= 1u << (intid % 32);
    }
    std::uint64_t vcpu_mpidrs[VcpuPower::kMaxVcpus] = {};
    for (std::size_t i = 0; i < g_vcpus.count(); ++i)
        vcpu_mpidrs[i] = g_vcpus.mpidr_of(i).value_or(0);
    // Its timers fire as virtual interrupts (masked on fire, as Xen does), which move with
    // the vCPU from CPU to CPU.
    g_vgic = new (g_vgic_storage) Vgic(static_cast<std::uint32_t>(g_vcpus.count()), vcpu_mpidrs,
                                       nr_irqs, hw_spis, 0, g_vgic_host);
    g_dom0_sched.vgic = g_vgic;
    arch::set_hardware_interrupt_vgic(g_vgic);
    dom0_devices().attach_vgic(g_vgic, info.gic_distributor, info.gic_redistributors,
                               info.gic_redistributors_size);
    bool unmapped = arch::unmap_guest_range(info.gic_distributor, Vgic::kDistSize) &&
                    arch::unmap_guest_range(info.gic_redistributors, info.gic_redistributors_size);
    if (info.gic_its_size != 0)
        unmapped = unmapped && arch::unmap_guest_range(info.gic_its, info.gic_its_size);
    if (info.uart_base)
        unmapped = unmapped && arch::unmap_guest_range(*info.uart_base, kPageSize);
    if (!unmapped) {
        out << "(TERN) dom0: cannot take the GIC and the UART out of its stage 2\n";
        return;
    }
    if (info.uart_intid)
        arch::set_hypervisor_irq(*info.uart_intid, console_input_interrupt);
    out << "(TERN) dom0: virtual GICv3, " << nr_irqs << " interrupts, "
        << std::uint64_t{g_vcpus.count()} << " redistributor(s)\n";
    auto* events = new (g_events_storage)
        EventChannels(0, static_cast<std::uint32_t>(g_vcpus.count()), g_upcalls);
    set_guest_events(events);
    control->set_control_events(events);
    set_guest_control(control);
    auto* dom0_memory = new (g_dom0_memory_storage) Dom0Memory(*control, *machine, g_dom0_stage2);
    control->set_teardown(dom0_memory);
    control->set_runner(&g_runner);
    control->set_scheduler(&g_scheduler);
    control->set_domain_stage2(opts.domu_stage2_pages ? Stage2Granule::pages
                                                      : Stage2Granule::blocks);
    if (opts.domu_stage2_pages)
        out << "(TERN) domUs' RAM is mapped with 4 KiB pages at stage 2 (domu_stage2=pages)\n";
    control->set_control_domain(&g_dom0_sched, static_cast<std::uint32_t>(g_vcpus.count()),
                                dom0.ram_size / kPageSize);
    set_domain_vcpu_environment(g_console, control, dom0_memory);
    set_guest_dom0_memory(dom0_memory);
    g_vcpus_ready.store(true, std::memory_order_release);
    arch::wake_cpus();
    out << "(TERN) dom0: entering its kernel at " << lib::Hex{entry} << " (EL1), device tree at "
        << lib::Hex{tree_at} << ", weight " << opts.dom0_weight
        << (opts.dom0_vcpus_pin ? ", vCPUs pinned\n" : "\n");
    if (start_vcpu(g_dom0_sched, 0, mpidrs[0], entry, tree_at) != Status::ok) {
        out << "(TERN) dom0: the scheduler has no room for its vCPU 0\n";
        return;
    }
    run_scheduled_vcpus();
}

}  // namespace
}  // namespace tern::hv

extern "C" [[noreturn]] void tern_secondary_start(std::uint64_t index, unsigned el) {
    using namespace tern;
    arch::install_vectors();
    arch::enable_mmu();
    arch::gic_init_cpu();
    // The line is built first and written in one piece: CPUs come up at the same time.
    char line[96];
    lib::BufferSink buffer(line, sizeof line);
    lib::Out(buffer) << "(TERN) CPU " << index << " up at EL" << el << ", MMU "
                     << (arch::mmu_enabled() ? "on" : "off") << "\n";
    hv::g_console->write(buffer.text());
    hv::g_cpus_up.fetch_add(1, std::memory_order_release);
    arch::park_cpu();
}

// Every physical CPU but the boot CPU waits here until dom0 is set up, then runs the vCPUs
// the scheduler gives it; every CPU comes back here (on a fresh stack) when it has none.
extern "C" [[noreturn]] void tern_cpu_idle() {
    using namespace tern;
    while (!hv::g_vcpus_ready.load(std::memory_order_acquire))
        arch::wait_for_event();
    hv::run_scheduled_vcpus();
}

namespace tern::hv {
namespace {

// Starts every other CPU and waits (a bounded while) until each has said it is up.
void start_secondaries(lib::Out& out, const BootInfo& info) {
    const std::uint64_t self = arch::current_cpu_id();
    std::uint64_t next_index = 1;
    g_cpu_mpidr[0] = self;
    g_cpu_count = 1;
    for (std::size_t i = 0; i < info.cpu_count; ++i) {
        if (info.cpu_ids[i] == self)
            continue;
        if (next_index < Scheduler::kMaxCpus) {
            g_cpu_mpidr[next_index] = info.cpu_ids[i];
            g_cpu_count = next_index + 1;
        }
        const std::int64_t status = arch::start_cpu(info.cpu_ids[i], next_index++);
        if (status != 0) {
            out << "(TERN) CPU with MPIDR " << lib::Hex{info.cpu_ids[i]}
                << " did not start: PSCI status " << static_cast<int>(status) << "\n";
        }
    }
    for (std::uint64_t spins = 0; spins < (1ull << 32); ++spins) {
        if (g_cpus_up.load(std::memory_order_acquire) == info.cpu_count)
            break;
    }
    out << "(TERN) " << g_cpus_up.load() << " of " << std::uint64_t{info.cpu_count} << " CPUs up\n";
}

}  // namespace
}  // namespace tern::hv

extern "C" [[noreturn]] void tern_start(std::uintptr_t dtb, unsigned el,
                                        std::uintptr_t running_at) {
    using namespace tern;
    for (StaticConstructor* c = tern_init_array_start; c != tern_init_array_end; ++c)
        (*c)();
    auto fdt = lib::Fdt::open(reinterpret_cast<const void*>(dtb), hv::kMaxDeviceTreeSize);
    if (!fdt.ok())
        arch::system_off();  // no tree: no console to say so on
    auto info = hv::read_boot_info(fdt.value());
    if (!info.ok() || !info->uart_base)
        arch::system_off();

    drivers::Pl011 uart(*info->uart_base);
    struct UartInput final : hv::ConsoleInput {
        explicit UartInput(drivers::Pl011& u) : uart(u) {}
        std::size_t read(char* out, std::size_t size) override { return uart.read(out, size); }
        void set_interrupt(bool enabled) override { uart.set_receive_interrupt(enabled); }
        drivers::Pl011& uart;
    } input(uart);
    hv::Console console(uart, &input);
    hv::g_console = &console;
    arch::set_fault_console(&console);
    arch::install_vectors();
    lib::Out out(console);
    out << "(TERN) Tern hypervisor 0.1 starting on CPU 0 at EL" << el << "\n";
    if (el != 2) {
        out << "(TERN) must be entered at EL2; start QEMU with -machine virtualization=on\n";
        arch::system_off();
    }
    const auto linked_at = reinterpret_cast<std::uintptr_t>(tern_image_start);
    out << "(TERN) image " << lib::Hex{linked_at} << "-"
        << lib::Hex{reinterpret_cast<std::uintptr_t>(tern_image_end) - 1} << ", device tree at "
        << lib::Hex{dtb} << " (" << fdt->total_size() << " bytes)\n";
    if (running_at != linked_at) {
        out << "(TERN) loaded at " << lib::Hex{running_at} << " but linked for "
            << lib::Hex{linked_at} << "; load the Image at RAM base + its text_offset\n";
        arch::system_off();
    }
    const hv::HypervisorOptions opts = hv::parse_command_line(info->command_line);
    hv::set_log_level(opts.loglvl);
    hv::report(out, info.value(), opts);
    auto pages = hv::make_allocator(out, info.value(), dtb, fdt->total_size());
    if (!pages.ok()) {
        out << "(TERN) cannot set up the page allocator\n";
        arch::system_off();
    }
    out << "(TERN) memory: " << pages->total_pages() << " pages, " << pages->reserved_pages()
        << " reserved, " << pages->free_pages() << " free\n";
    arch::RamRange ram[hv::BootInfo::kMaxBanks];
    for (std::size_t i = 0; i < info->bank_count; ++i)
        ram[i] = {info->banks[i].base, info->banks[i].size};
    arch::build_identity_map(ram, info->bank_count);
    arch::enable_mmu();
    if (info->gic_distributor == 0) {
        out << "(TERN) no GICv3 in the device tree: start QEMU with gic-version=3\n";
        arch::system_off();
    }
    arch::gic_init_distributor(info->gic_distributor, info->gic_redistributors,
                               info->gic_redistributors_size);
    arch::gic_init_cpu();
    hv::g_cpus_up.store(1);
    out << "(TERN) CPU 0 up at EL" << el << ", MMU " << (arch::mmu_enabled() ? "on" : "off")
        << "\n";
    hv::start_secondaries(out, info.value());
    const auto dom0 = hv::prepare_dom0(out, fdt.value(), info.value(), opts, pages.value());
    if (opts.selftest_fault) {
        out << "(TERN) tern_selftest=fault: faulting on purpose\n";
        asm volatile("brk #0x7e");
    }
    if (info->module(hv::ModuleKind::kernel) == nullptr) {
        out << "(TERN) no dom0 kernel module (multiboot,kernel in /chosen): nothing to run\n";
    }
    hv::start_dom0(out, fdt.value(), info.value(), dom0, opts, pages.value());
    out << "(TERN) no dom0 to run; powering off\n";
    arch::system_off();
}
