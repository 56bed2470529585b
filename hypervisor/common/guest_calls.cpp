// The hypercalls and firmware calls dom0 makes while it boots. Everything not implemented yet
// answers -ENOSYS (hypercalls) or NOT_SUPPORTED (SMCCC), and is logged once per number.
#include "common/guest_calls.hpp"

#include "common/page_allocator.hpp"
#include "public/event_channel.hpp"
#include "public/grant_table.hpp"
#include "public/memory.hpp"
#include "public/sched.hpp"
#include "public/vcpu.hpp"
#include "public/xen.hpp"
#include "tern/arch/cpu.hpp"
#include "tern/arch/guest.hpp"

namespace tern::hv {
namespace {

constexpr std::int64_t kEnosys = -38;
constexpr std::int64_t kEfault = -14;
constexpr std::int64_t kEinval = -22;
constexpr std::uint64_t kSmcccNotSupported = 0xffffffffffffffffull;  // -1

lib::Sink* g_console = nullptr;
PageAllocator* g_pages = nullptr;

// dom0's shared pages: shared_info and its grant-table frames (v1), made on first use.
constexpr std::uint32_t kGrantFrames = 1;
constexpr std::uint32_t kMaxGrantFrames = 64;
std::uint64_t g_shared_info = 0;
std::uint64_t g_grant_frames[kGrantFrames] = {};
std::uint64_t g_vcpu_info[8] = {};  // guest-physical address of each vCPU's vcpu_info
constexpr std::uint32_t kHvmNrParams = 39;
std::uint64_t g_hvm_params[kHvmNrParams] =
    {};  // dom0's HVM params (all 0 until a toolstack sets them)

std::uint64_t new_zeroed_page() {
    if (g_pages == nullptr)
        return 0;
    auto page = g_pages->allocate(1);
    if (!page.ok())
        return 0;
    auto* bytes = reinterpret_cast<std::uint8_t*>(page->value);
    for (std::size_t i = 0; i < kPageSize; ++i)
        bytes[i] = 0;
    return page->value;
}

// memory_op XENMEM_add_to_physmap: the guest asks for a hypervisor page at one of its frames.
std::int64_t add_to_physmap(std::uint64_t arg) {
    pub::xen_add_to_physmap a{};
    if (!arch::copy_from_guest(arg, &a, sizeof a))
        return kEfault;
    if (a.domid != pub::kDomidSelf && a.domid != 0)
        return -1;  // EPERM: foreign maps come later
    std::uint64_t page = 0;
    if (a.space == pub::kMapspaceSharedInfo && a.idx == 0) {
        if (g_shared_info == 0)
            g_shared_info = new_zeroed_page();
        page = g_shared_info;
    } else if (a.space == pub::kMapspaceGrantTable && a.idx < kGrantFrames) {
        if (g_grant_frames[a.idx] == 0)
            g_grant_frames[a.idx] = new_zeroed_page();
        page = g_grant_frames[a.idx];
    } else {
        return kEinval;
    }
    if (page == 0)
        return -12;  // ENOMEM
    return arch::map_guest_page(a.gpfn << kPageShift, page) ? 0 : -12;
}

std::int64_t memory_op(std::uint64_t cmd, std::uint64_t arg) {
    if (cmd == pub::kMemoryOpAddToPhysmap)
        return add_to_physmap(arg);
    return kEnosys;
}

std::int64_t grant_table_op(std::uint64_t cmd, std::uint64_t arg, std::uint64_t count) {
    if (count != 1)
        return kEinval;
    switch (cmd) {
        case pub::kGnttabOpQuerySize: {
            pub::gnttab_query_size q{};
            if (!arch::copy_from_guest(arg, &q, sizeof q))
                return kEfault;
            q.nr_frames = kGrantFrames;
            q.max_nr_frames = kMaxGrantFrames;
            q.status = 0;
            return arch::copy_to_guest(arg, &q, sizeof q) ? 0 : kEfault;
        }
        case pub::kGnttabOpSetVersion: {
            pub::gnttab_set_version v{};
            if (!arch::copy_from_guest(arg, &v, sizeof v))
                return kEfault;
            if (v.version != 1)
                return kEinval;  // Tern speaks grant tables v1
            return 0;
        }
        case pub::kGnttabOpGetVersion: {
            pub::gnttab_get_version v{};
            if (!arch::copy_from_guest(arg, &v, sizeof v))
                return kEfault;
            v.version = 1;
            return arch::copy_to_guest(arg, &v, sizeof v) ? 0 : kEfault;
        }
        default:
            return kEnosys;
    }
}

// hvm_op get_param/set_param on dom0's own parameters.
std::int64_t hvm_op(std::uint64_t cmd, std::uint64_t arg) {
    if (cmd != pub::kHvmOpSetParam && cmd != pub::kHvmOpGetParam)
        return kEnosys;
    pub::xen_hvm_param p{};
    if (!arch::copy_from_guest(arg, &p, sizeof p))
        return kEfault;
    if (p.domid != pub::kDomidSelf && p.domid != 0)
        return -3;  // ESRCH: no other domain yet
    if (p.index >= kHvmNrParams)
        return kEinval;
    if (cmd == pub::kHvmOpSetParam) {
        g_hvm_params[p.index] = p.value;
        return 0;
    }
    p.value = g_hvm_params[p.index];
    return arch::copy_to_guest(arg, &p, sizeof p) ? 0 : kEfault;
}

std::int64_t vcpu_op(std::uint64_t cmd, std::uint64_t vcpu, std::uint64_t arg) {
    if (cmd == pub::kVcpuOpRegisterVcpuInfo) {
        pub::vcpu_register_vcpu_info r{};
        if (!arch::copy_from_guest(arg, &r, sizeof r))
            return kEfault;
        if (vcpu >= 8 || r.offset > kPageSize - sizeof(pub::vcpu_info))
            return kEinval;
        g_vcpu_info[vcpu] = (r.mfn << kPageShift) + r.offset;
        return 0;
    }
    return kEnosys;
}
std::uint64_t g_logged[2] = {};  // one bit per hypercall number below 128

void log_once(std::uint64_t number) {
    if (number < 128 && (g_logged[number / 64] & (1ull << (number % 64))) == 0) {
        g_logged[number / 64] |= 1ull << (number % 64);
        if (g_console != nullptr) {
            lib::Out(*g_console) << "(TERN) d0: hypercall " << number
                                 << " not implemented: -ENOSYS\n";
        }
    }
}

// xen_version: Tern answers as Xen 4.17, and offers the features Linux checks for.
std::int64_t xen_version(std::uint64_t cmd, std::uint64_t arg) {
    switch (cmd) {
        case 0:
            return (4 << 16) | 17;  // XENVER_version
        case 6: {                   // XENVER_get_features: {u32 submap_idx; u32 submap}
            std::uint32_t io[2];
            if (!arch::copy_from_guest(arg, io, sizeof io))
                return kEfault;
            // writable_page_tables(0), auto_translated_physmap(2), supervisor_mode_kernel(3),
            // hvm_callback_vector(8), dom0(11), memory_op_vnode_supported(13), ... as Xen 4.17
            // tells this dom0 (trace: 0x00026805).
            io[1] = io[0] == 0 ? 0x00026805u : 0;
            return arch::copy_to_guest(arg, io, sizeof io) ? 0 : kEfault;
        }
        default:
            return kEnosys;
    }
}

// console_io: dom0 writes its console (hvc0) through the hypervisor's.
std::int64_t console_io(std::uint64_t cmd, std::uint64_t count, std::uint64_t buffer) {
    if (cmd == 0) {  // CONSOLEIO_write
        char chunk[128];
        std::uint64_t done = 0;
        while (done < count) {
            const std::uint64_t n = count - done < sizeof chunk ? count - done : sizeof chunk;
            if (!arch::copy_from_guest(buffer + done, chunk, n))
                return kEfault;
            if (g_console != nullptr)
                g_console->write(std::string_view(chunk, n));
            done += n;
        }
        return static_cast<std::int64_t>(count);
    }
    if (cmd == 1)
        return 0;  // CONSOLEIO_read: nothing typed yet
    return kEinval;
}

std::int64_t sched_op(std::uint64_t cmd, std::uint64_t arg) {
    if (cmd == pub::kSchedOpShutdown) {
        pub::sched_shutdown s{};
        if (!arch::copy_from_guest(arg, &s, sizeof s))
            return kEfault;
        if (g_console != nullptr) {
            lib::Out(*g_console) << "(TERN) d0: shut down (reason " << s.reason
                                 << "): powering off\n";
        }
        arch::system_off();
    }
    if (cmd == pub::kSchedOpYield)
        return 0;
    return kEnosys;
}

}  // namespace

void set_guest_console(lib::Sink* console) {
    g_console = console;
}
void set_guest_pages(PageAllocator* pages) {
    g_pages = pages;
}

void handle_hypercall(std::uint64_t* x) {
    const std::uint64_t number = x[16];
    std::int64_t result = kEnosys;
    switch (number) {
        case pub::kHypercallXenVersion:
            result = xen_version(x[0], x[1]);
            break;
        case pub::kHypercallConsoleIo:
            result = console_io(x[0], x[1], x[2]);
            break;
        case pub::kHypercallSchedOp:
            result = sched_op(x[0], x[1]);
            break;
        case pub::kHypercallMemoryOp:
            result = memory_op(x[0], x[1]);
            break;
        case pub::kHypercallGrantTableOp:
            result = grant_table_op(x[0], x[1], x[2]);
            break;
        case pub::kHypercallVcpuOp:
            result = vcpu_op(x[0], x[1], x[2]);
            break;
        case pub::kHypercallHvmOp:
            result = hvm_op(x[0], x[1]);
            break;
        case pub::kHypercallEventChannelOp:
            // The FIFO ABI is refused so that Linux uses the 2-level one; the 2-level
            // operations come with event channels.
            if (x[0] != pub::kEvtchnOpInitControl)
                log_once(number);
            result = kEnosys;
            break;
        default:
            log_once(number);
            break;
    }
    x[0] = static_cast<std::uint64_t>(result);
}

void handle_smccc(std::uint64_t* x) {
    const std::uint32_t function = static_cast<std::uint32_t>(x[0]);
    std::uint64_t result = kSmcccNotSupported;
    switch (function) {
        case 0x84000000:
            result = 0x10001;
            break;  // PSCI_VERSION: 1.1
        case 0x84000006:
            result = 2;
            break;          // MIGRATE_INFO_TYPE: no migration needed
        case 0x8400000a: {  // PSCI_FEATURES
            const std::uint32_t asked = static_cast<std::uint32_t>(x[1]);
            result = (asked == 0x80000000 || asked == 0x84000000 || asked == 0x84000008 ||
                      asked == 0x84000009)
                         ? 0
                         : kSmcccNotSupported;
            break;
        }
        case 0x80000000:
            result = 0x10001;
            break;        // SMCCC_VERSION: 1.1
        case 0x84000008:  // SYSTEM_OFF
        case 0x84000009:  // SYSTEM_RESET (restart is a later step)
            if (g_console != nullptr)
                lib::Out(*g_console) << "(TERN) d0: PSCI system off\n";
            arch::system_off();
        default:
            break;  // CPU_ON for dom0's other vCPUs comes with the scheduler
    }
    x[0] = result;
}

}  // namespace tern::hv
