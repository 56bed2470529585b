// tern-ctl: dom0's command for managing domains through Tern's control ABI.
//   tern-ctl [--interface-version V] [--privcmd PATH] COMMAND ARGS
// Commands: physinfo; list; create --memory MiB [--vcpus N] [--no-populate];
// info ID; pause ID; unpause ID; shutdown ID [poweroff|reboot|crash|...]; destroy ID;
// peek ID GFN; poke ID GFN TEXT (through a foreign mapping of the domain's page);
// wait-exception [SECONDS] (VIRQ_DOM_EXC through /dev/xen/evtchn); evtchn-bind ID;
// build [--unpause] CONFIG (the domain builder; --unpause starts it, as xl create); hvm-param ID
// INDEX; sched-credit ID [--weight W]
// [--cap C]; vcpu-pin ID VCPU CPUS;
// xenstore-read PATH, xenstore-write PATH VALUE, xenstore-ls PATH, xenstore-watch PATH (through
// xenstored's socket, or with --xenbus through the kernel's /dev/xen/xenbus); console [--log]
// [--log-dir DIR] ID (tern-consoled's pty for the domain, or its log file). Exit status: 0 done, 1
// the hypervisor refused (the reason is printed), 2 bad usage.
#include <fcntl.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "console_attach.hpp"
#include "dom0/builder/domain_builder.hpp"
#include "dom0/builder/guest_config.hpp"
#include "dom0/builder/guest_vbd.hpp"
#include "dom0/builder/guest_vif.hpp"
#include "dom0/builder/guest_xenstore.hpp"
#include "dom0/control/control_client.hpp"
#include "dom0/control/control_error.hpp"
#include "dom0/control/event_channel_device.hpp"
#include "dom0/control/foreign_mapping.hpp"
#include "dom0/control/privcmd.hpp"
#include "xenstored/socket_transport.hpp"
#include "xenstored/xenstore_client.hpp"

namespace {

using tern::dom0::ControlClient;
using tern::dom0::ControlError;

// How long destroy waits for the block backend to close a domain's disks.
constexpr std::chrono::milliseconds kVbdCloseTimeout{10000};
// How long destroy waits for netback to delete a domain's backend interfaces.
constexpr std::chrono::milliseconds kVifRemoveTimeout{10000};

constexpr const char* kUsage =
    "usage: tern-ctl [--interface-version V] [--privcmd PATH] COMMAND [ARGS]\n"
    "commands:\n"
    "  physinfo                         CPUs and free memory of the host\n"
    "  list                             every domain, dom0 (0) first\n"
    "  create --memory MiB [--vcpus N] [--no-populate]\n"
    "                                   a paused domain with that much RAM; prints its id\n"
    "  build [--unpause] CONFIG         a paused domain built from a config file (kernel,\n"
    "                                   ramdisk, extra, memory, vcpus, disk, vif): prints where\n"
    "                                   things went; its disks are served by tern-blkback;\n"
    "                                   --unpause starts it once built (as xl create)\n"
    "  hvm-param ID INDEX               one of its HVM parameters\n"
    "  xenstore-read PATH | xenstore-write PATH VALUE | xenstore-ls PATH |\n"
    "  xenstore-watch PATH\n"
    "                                   xenstore through xenstored's socket (--xenbus: through\n"
    "                                   dom0's kernel, /dev/xen/xenbus)\n"
    "  info ID                          one domain's state (0: dom0)\n"
    "  pause ID | unpause ID | destroy ID\n"
    "                                   (destroy first has tern-blkback close its disks and\n"
    "                                   netback delete its vif interfaces)\n"
    "  shutdown ID [poweroff|reboot|suspend|crash|watchdog]\n"
    "  sched-credit ID [--weight W] [--cap C]\n"
    "                                   shows (or sets) the domain's weight (1-65535, default\n"
    "                                   256) and cap (percent of one CPU, 0 = none); ID 0: dom0\n"
    "  vcpu-pin ID VCPU CPUS            vCPU VCPU runs only on physical CPUs CPUS (e.g. 1,2 or\n"
    "                                   1-3 or all)\n"
    "  peek ID GFN                      the first 16 bytes of one of its pages, and whether\n"
    "                                   the page is all zero\n"
    "  poke ID GFN TEXT                 writes TEXT at the start of one of its pages\n"
    "  wait-exception [SECONDS]         waits (60 s) for VIRQ_DOM_EXC: a domain shut down or\n"
    "                                   was destroyed; exit 1 if none came\n"
    "  evtchn-bind ID                   makes an event channel between dom0 and the domain,\n"
    "                                   signals it and shows the domain's end\n"
    "  console [--log] [--log-dir DIR] ID\n"
    "                                   attaches to the domain's console (tern-consoled's\n"
    "                                   pty; Ctrl-] detaches), or with --log prints its log\n"
    "                                   (DIR/guest-ID.log, DIR /var/log/tern/console)\n";

struct UsageError {
    std::string what;
};

std::uint64_t number(const std::string& text, const char* what) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(text.c_str(), &end, 0);
    if (text.empty() || *end != '\0' || errno != 0 || text[0] == '-')
        throw UsageError{std::string("bad ") + what + ": '" + text + "'"};
    return v;
}

std::uint32_t domain_id(const std::vector<std::string>& args, std::size_t at) {
    if (at >= args.size())
        throw UsageError{"missing domain id"};
    const std::uint64_t id = number(args[at], "domain id");
    if (id == 0 || id > 0x7fef)
        throw UsageError{"domain id out of range: " + args[at]};
    return static_cast<std::uint32_t>(id);
}

// A domain id where dom0 (0) is one too: info, sched-credit, vcpu-pin (as xl's).
std::uint32_t domain_or_dom0_id(const std::vector<std::string>& args, std::size_t at) {
    if (at < args.size() && args[at] == "0")
        return 0;
    return domain_id(args, at);
}

// "all", or CPU numbers and ranges: "1", "1,3", "1-3".
std::uint32_t cpu_map(const std::string& text) {
    if (text == "all")
        return ~0u;
    std::uint32_t map = 0;
    std::size_t at = 0;
    while (at <= text.size()) {
        const std::size_t comma = std::min(text.find(',', at), text.size());
        const std::string item = text.substr(at, comma - at);
        const std::size_t dash = item.find('-');
        const std::uint64_t first = number(item.substr(0, dash), "CPU");
        const std::uint64_t last =
            dash == std::string::npos ? first : number(item.substr(dash + 1), "CPU");
        if (first > last || last >= 32)
            throw UsageError{"bad CPU list: '" + text + "'"};
        for (std::uint64_t c = first; c <= last; ++c)
            map |= 1u << c;
        at = comma + 1;
    }
    return map;
}

std::uint32_t reason_of(const std::string& name) {
    static const char* const kNames[] = {"poweroff", "reboot", "suspend", "crash", "watchdog"};
    for (std::uint32_t i = 0; i < 5; ++i) {
        if (name == kNames[i])
            return i;
    }
    throw UsageError{"unknown shutdown reason '" + name + "'"};
}

void print_info(const tern_domain_info& d) {
    std::printf("%5u %-9s %8llu %5u %10.1f", d.domain, tern::dom0::state_name(d.state).c_str(),
                static_cast<unsigned long long>(d.pages * 4096 >> 20), d.vcpus,
                static_cast<double>(d.cpu_time_ns) / 1e9);
    if (d.state == TERN_DOMAIN_SHUTDOWN)
        std::printf(" (%s)", tern::dom0::shutdown_reason_name(d.shutdown_reason).c_str());
    std::printf("\n");
}

std::uint64_t gfn_arg(const std::vector<std::string>& args, std::size_t at) {
    if (at >= args.size())
        throw UsageError{"missing guest frame number"};
    return number(args[at], "guest frame number");
}

void peek(tern::dom0::Privcmd& privcmd, std::uint32_t domain, std::uint64_t gfn) {
    const std::uint64_t frames[] = {gfn};
    tern::dom0::ForeignMapping page(privcmd, domain, frames);
    bool zero = true;
    for (std::size_t i = 0; i < page.size(); ++i)
        zero = zero && page.data()[i] == 0;
    std::printf("domain %u frame %#llx:", domain, static_cast<unsigned long long>(gfn));
    for (std::size_t i = 0; i < 16; ++i)
        std::printf(" %02x", page.data()[i]);
    std::printf(" |");
    for (std::size_t i = 0; i < 16; ++i) {
        const std::uint8_t c = page.data()[i];
        std::printf("%c", c >= 32 && c < 127 ? c : '.');
    }
    std::printf("| %s\n", zero ? "all zero" : "data");
}

void poke(tern::dom0::Privcmd& privcmd, std::uint32_t domain, std::uint64_t gfn,
          const std::string& text) {
    if (text.size() > 4096)
        throw UsageError{"poke: TEXT is longer than a page"};
    const std::uint64_t frames[] = {gfn};
    tern::dom0::ForeignMapping page(privcmd, domain, frames);
    std::memcpy(page.data(), text.data(), text.size());
}

int wait_exception(std::uint64_t seconds) {
    tern::dom0::EventChannelDevice events;
    const std::uint32_t port = events.bind_virq(tern::dom0::EventChannelDevice::kVirqDomExc);
    std::printf("bound VIRQ_DOM_EXC to port %u\n", port);
    std::fflush(stdout);
    if (!events.wait(std::chrono::seconds(seconds))) {
        std::printf("no domain exception in %llu s\n", static_cast<unsigned long long>(seconds));
        return 1;
    }
    std::printf("domain exception event\n");
    return 0;
}

// Xen's struct evtchn_status (event_channel.h), for EVTCHNOP_status on another domain.
struct EvtchnStatus {
    std::uint16_t dom;
    std::uint32_t port;
    std::uint32_t status;
    std::uint32_t vcpu;
    std::uint16_t remote_dom;
    std::uint32_t remote_port;
};
static_assert(sizeof(EvtchnStatus) == 24);

void evtchn_bind(tern::dom0::Privcmd& privcmd, ControlClient& control, std::uint32_t domain) {
    const std::uint32_t remote = control.alloc_unbound(domain, 0);
    tern::dom0::EventChannelDevice events;
    const std::uint32_t local = events.bind_interdomain(domain, remote);
    events.notify(local);
    EvtchnStatus status{};
    status.dom = static_cast<std::uint16_t>(domain);
    status.port = remote;
    constexpr std::uint64_t kEventChannelOp = 32;
    constexpr std::uint64_t kEvtchnOpStatus = 5;
    const std::int64_t r = privcmd.hypercall(kEventChannelOp, kEvtchnOpStatus,
                                             reinterpret_cast<std::uintptr_t>(&status));
    if (r < 0)
        throw ControlError(
            std::string("status of the domain's port: ") + std::strerror(static_cast<int>(-r)),
            static_cast<int>(-r));
    static const char* const kStates[] = {"closed", "unbound", "interdomain",
                                          "pirq",   "virq",    "ipi"};
    std::printf("dom0 port %u <-> domain %u port %u: %s", local, domain, remote,
                status.status < 6 ? kStates[status.status] : "unknown");
    if (status.status == 2)
        std::printf(" with domain %u port %u", status.remote_dom, status.remote_port);
    std::printf("\n");
}

// xenstored's socket (XENSTORED_PATH or the default), if it answers.
std::unique_ptr<tern::dom0::xenstored::XenstoreClient> connect_xenstore() {
    namespace xs = tern::dom0::xenstored;
    const char* path = std::getenv("XENSTORED_PATH");
    auto client =
        std::make_unique<xs::XenstoreClient>(path != nullptr ? path : xs::kDefaultSocketPath);
    if (!client->connected())
        return nullptr;
    return client;
}

int build(tern::dom0::Privcmd& privcmd, ControlClient& control, const std::string& path,
          bool unpause) {
    std::ifstream in(path);
    if (!in)
        throw UsageError{"cannot read the config file '" + path + "'"};
    std::stringstream text;
    text << in.rdbuf();
    auto config = tern::dom0::parse_guest_config(text.str(), path);
    tern::dom0::DomainBuilder builder(privcmd, control);
    const auto built = builder.build(config);
    std::printf("domain %u built%s%s: kernel at %#llx, device tree at %#llx", built.domain,
                config.name.empty() ? "" : " for ", config.name.c_str(),
                static_cast<unsigned long long>(built.kernel_entry),
                static_cast<unsigned long long>(built.device_tree));
    if (built.initrd != 0)
        std::printf(", ramdisk at %#llx", static_cast<unsigned long long>(built.initrd));
    std::printf("; console ring %#llx port %u, xenstore ring %#llx port %u\n",
                static_cast<unsigned long long>(built.console_gfn), built.console_port,
                static_cast<unsigned long long>(built.store_gfn), built.store_port);
    // Its xenstore entries and INTRODUCE, when xenstored runs (as xl needs it to).
    if (auto store = connect_xenstore()) {
        try {
            tern::dom0::introduce_to_xenstore(*store, built, config);
            tern::dom0::add_vbds_to_xenstore(*store, built.domain, config.disks);
            tern::dom0::add_vifs_to_xenstore(*store, built.domain, config.vifs);
        } catch (...) {
            tern::dom0::remove_vbds(*store, built.domain);
            (void)tern::dom0::remove_vifs(*store, built.domain, kVifRemoveTimeout);
            control.destroy(built.domain);  // nothing half-made is left behind
            tern::dom0::release_from_xenstore(*store, built.domain);
            throw;
        }
        std::printf("introduced to xenstore as /local/domain/%u\n", built.domain);
        for (const auto& disk : config.disks)
            std::printf("disk %s: %s (%s, %s), backend %s\n", disk.vdev.c_str(), disk.path.c_str(),
                        disk.format.c_str(), disk.writable ? "writable" : "read-only",
                        tern::dom0::vbd_backend_path(built.domain, disk.devid).c_str());
        for (const auto& vif : config.vifs)
            std::printf("vif %u: mac %s, bridge %s, backend %s (interface %s)\n", vif.devid,
                        vif.mac.c_str(), vif.bridge.c_str(),
                        tern::dom0::vif_backend_path(built.domain, vif.devid).c_str(),
                        tern::dom0::vif_interface_name(built.domain, vif.devid).c_str());
    } else if (!config.disks.empty() || !config.vifs.empty()) {
        control.destroy(built.domain);
        throw std::runtime_error("xenstored is not running: the disks and NICs cannot be set up");
    } else {
        std::printf("xenstored is not running: no xenstore entries\n");
    }
    if (unpause)
        control.unpause(built.domain);
    std::printf("%u\n", built.domain);
    return 0;
}

// console: tern-consoled's pty for the domain (its path from xenstore), or its log file.
int console(const std::vector<std::string>& args) {
    namespace xs = tern::dom0::xenstored;
    bool log_only = false;
    std::string log_dir = "/var/log/tern/console";
    std::size_t at = 1;
    for (; at < args.size() && args[at].rfind("--", 0) == 0; ++at) {
        if (args[at] == "--log") {
            log_only = true;
        } else if (args[at] == "--log-dir" && at + 1 < args.size()) {
            log_dir = args[++at];
        } else {
            throw UsageError{"console: unexpected '" + args[at] + "'"};
        }
    }
    const std::uint32_t id = domain_id(args, at);
    if (at + 1 != args.size())
        throw UsageError{"console: [--log] [--log-dir DIR] ID"};
    if (log_only) {
        tern::dom0::print_console_log(log_dir + "/guest-" + std::to_string(id) + ".log",
                                      STDOUT_FILENO);
        return 0;
    }
    auto store = connect_xenstore();
    if (!store)
        throw ControlError("cannot reach xenstored (is it running?)", ECONNREFUSED);
    const std::string key = "/local/domain/" + std::to_string(id) + "/console/tty";
    auto tty = store->read(key);
    if (!tty.ok())
        throw ControlError("domain " + std::to_string(id) + " has no console pty (" + key + ": " +
                               std::string(xs::error_name(tty.error())) +
                               "; is tern-consoled running?)",
                           ENOENT);
    return tern::dom0::attach_console(tty.value(), STDIN_FILENO, STDOUT_FILENO);
}

// xenstore-read, -write, -ls, -watch: they need no hypervisor call, so they run before privcmd
// opens.
int xenstore(const std::vector<std::string>& args, bool through_kernel) {
    namespace xs = tern::dom0::xenstored;
    std::unique_ptr<xs::XenstoreClient> client;
    if (through_kernel) {
        const int fd = ::open("/dev/xen/xenbus", O_RDWR | O_CLOEXEC);
        if (fd < 0)
            throw ControlError(std::string("cannot open /dev/xen/xenbus: ") + std::strerror(errno),
                               errno);
        client = std::make_unique<xs::XenstoreClient>(xs::UniqueFd(fd));
    } else {
        const char* path = std::getenv("XENSTORED_PATH");
        client =
            std::make_unique<xs::XenstoreClient>(path != nullptr ? path : xs::kDefaultSocketPath);
        if (!client->connected())
            throw ControlError("cannot reach xenstored (is it running?)", ECONNREFUSED);
    }
    auto fail = [&](xs::XsError e) -> int {
        std::cerr << "tern-ctl: " << args[0] << " " << args[1] << ": " << xs::error_name(e) << "\n";
        return 1;
    };
    if (args[0] == "xenstore-read") {
        auto value = client->read(args[1]);
        if (!value.ok())
            return fail(value.error());
        std::printf("%s\n", value.value().c_str());
    } else if (args[0] == "xenstore-watch") {
        // As xenstore-watch: each path that changes under PATH, a line at a time, flushed (the
        // first one at once, as xenstored fires a new watch), until the connection closes.
        auto watching = client->watch(args[1], "tern-ctl");
        if (!watching.ok())
            return fail(watching.error());
        for (;;) {
            auto event = client->next_event();
            if (!event.ok())
                return fail(event.error());
            std::printf("%s\n", event.value().first.c_str());
            std::fflush(stdout);
        }
    } else if (args[0] == "xenstore-write") {
        if (args.size() < 3)
            throw UsageError{"xenstore-write: PATH VALUE"};
        auto done = client->write(args[1], args[2]);
        if (!done.ok())
            return fail(done.error());
    } else {
        auto names = client->directory(args[1]);
        if (!names.ok())
            return fail(names.error());
        for (const auto& name : names.value())
            std::printf("%s\n", name.c_str());
    }
    return 0;
}

int run(tern::dom0::Privcmd& privcmd, ControlClient& control,
        const std::vector<std::string>& args) {
    const std::string& cmd = args[0];
    if (cmd == "physinfo") {
        const auto p = control.physinfo();
        std::printf("cpus %u\nmax_domains %u\ntotal_pages %llu\nfree_pages %llu\nfree_mib %llu\n",
                    p.nr_cpus, p.max_domains, static_cast<unsigned long long>(p.total_pages),
                    static_cast<unsigned long long>(p.free_pages),
                    static_cast<unsigned long long>(p.free_pages * 4096 >> 20));
    } else if (cmd == "list") {
        std::printf("%5s %-9s %8s %5s %10s\n", "ID", "State", "Mem(MiB)", "VCPUs", "Time(s)");
        for (const auto& d : control.list())
            print_info(d);
    } else if (cmd == "create") {
        std::uint64_t mib = 0;
        std::uint32_t vcpus = 1;
        bool populate = true;
        for (std::size_t i = 1; i < args.size(); ++i) {
            if (args[i] == "--memory" && i + 1 < args.size()) {
                mib = number(args[++i], "memory");
            } else if (args[i] == "--vcpus" && i + 1 < args.size()) {
                vcpus = static_cast<std::uint32_t>(number(args[++i], "vcpus"));
            } else if (args[i] == "--no-populate") {
                populate = false;
            } else {
                throw UsageError{"create: unexpected '" + args[i] + "'"};
            }
        }
        if (mib == 0 || mib > TERN_GUEST_RAM0_SIZE >> 20)
            throw UsageError{"create: --memory MiB (1 to 3072) is required"};
        tern::dom0::DomainLimits limits;
        limits.max_vcpus = vcpus;
        limits.max_memory_kib = mib * 1024;
        const std::uint32_t id = control.create(limits);
        if (populate) {
            try {
                control.populate(id, TERN_GUEST_RAM0_BASE >> 12, mib << 8);
            } catch (const ControlError&) {
                control.destroy(id);  // leave nothing half-made behind
                throw;
            }
        }
        std::printf("%u\n", id);
    } else if (cmd == "info") {
        print_info(control.info(domain_or_dom0_id(args, 1)));
    } else if (cmd == "pause") {
        control.pause(domain_id(args, 1));
    } else if (cmd == "unpause") {
        control.unpause(domain_id(args, 1));
    } else if (cmd == "destroy") {
        const std::uint32_t id = domain_id(args, 1);
        auto store = connect_xenstore();
        // Its disks first: the backend releases their grant maps and flushes their images
        // while the domain still exists.
        if (store && tern::dom0::close_vbds(*store, id, kVbdCloseTimeout) != 0)
            std::fprintf(stderr,
                         "tern-ctl: the block backend did not close every disk of "
                         "domain %u (is tern-blkback running?)\n",
                         id);
        // Its NICs: netback unmaps their rings and deletes vif<id>.<n> (which leaves its
        // bridge) while the domain still exists.
        if (store && tern::dom0::remove_vifs(*store, id, kVifRemoveTimeout) != 0)
            std::fprintf(stderr, "tern-ctl: netback did not delete every interface of domain %u\n",
                         id);
        control.destroy(id);
        if (store) {
            tern::dom0::remove_vbds(*store, id);
            tern::dom0::release_from_xenstore(*store, id);
        }
    } else if (cmd == "peek") {
        peek(privcmd, domain_id(args, 1), gfn_arg(args, 2));
    } else if (cmd == "poke") {
        if (args.size() < 4)
            throw UsageError{"poke: ID GFN TEXT"};
        poke(privcmd, domain_id(args, 1), gfn_arg(args, 2), args[3]);
    } else if (cmd == "build") {
        const bool unpause = args.size() == 3 && args[1] == "--unpause";
        if (args.size() != (unpause ? 3u : 2u))
            throw UsageError{"build: [--unpause] CONFIG"};
        return build(privcmd, control, args.back(), unpause);
    } else if (cmd == "hvm-param") {
        const std::uint32_t id = domain_id(args, 1);
        if (args.size() < 3)
            throw UsageError{"hvm-param: ID INDEX"};
        const auto index = static_cast<std::uint32_t>(number(args[2], "HVM parameter"));
        std::printf("%#llx\n", static_cast<unsigned long long>(control.hvm_param(id, index)));
    } else if (cmd == "wait-exception") {
        return wait_exception(args.size() > 1 ? number(args[1], "seconds") : 60);
    } else if (cmd == "evtchn-bind") {
        evtchn_bind(privcmd, control, domain_id(args, 1));
    } else if (cmd == "sched-credit") {
        const std::uint32_t id = domain_or_dom0_id(args, 1);
        tern_control_sched sched = control.scheduling(id);
        bool change = false;
        for (std::size_t i = 2; i < args.size(); i += 2) {
            if (i + 1 >= args.size() || (args[i] != "--weight" && args[i] != "--cap"))
                throw UsageError{"sched-credit: ID [--weight W] [--cap C]"};
            const auto value = static_cast<std::uint32_t>(number(args[i + 1], args[i].c_str() + 2));
            (args[i] == "--weight" ? sched.weight : sched.cap) = value;
            change = true;
        }
        if (change)
            control.set_scheduling(id, sched.weight, sched.cap);
        std::printf("weight %u cap %u\n", sched.weight, sched.cap);
    } else if (cmd == "vcpu-pin") {
        const std::uint32_t id = domain_or_dom0_id(args, 1);
        if (args.size() != 4)
            throw UsageError{"vcpu-pin: ID VCPU CPUS"};
        control.set_vcpu_affinity(id, static_cast<std::uint32_t>(number(args[2], "vCPU")),
                                  cpu_map(args[3]));
    } else if (cmd == "shutdown") {
        const std::uint32_t id = domain_id(args, 1);
        control.shutdown(
            id, args.size() > 2 ? reason_of(args[2]) : std::uint32_t{TERN_SHUTDOWN_POWEROFF});
    } else {
        throw UsageError{"unknown command '" + cmd + "'"};
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::uint32_t version = TERN_CONTROL_INTERFACE_VERSION;
    std::string path = tern::dom0::Privcmd::kDefaultPath;
    bool through_xenbus = false;
    try {
        while (!args.empty() && args[0].rfind("--", 0) == 0) {
            if (args[0] == "--help") {
                std::cout << kUsage;
                return 0;
            }
            if (args[0] == "--xenbus") {
                through_xenbus = true;
                args.erase(args.begin());
                continue;
            }
            if (args.size() < 2)
                throw UsageError{args[0] + " needs a value"};
            if (args[0] == "--interface-version")
                version = static_cast<std::uint32_t>(number(args[1], "interface version"));
            else if (args[0] == "--privcmd")
                path = args[1];
            else
                throw UsageError{"unknown option " + args[0]};
            args.erase(args.begin(), args.begin() + 2);
        }
        if (args.empty())
            throw UsageError{"no command"};
        if (args[0].rfind("xenstore-", 0) == 0) {
            if (args[0] != "xenstore-read" && args[0] != "xenstore-write" &&
                args[0] != "xenstore-ls" && args[0] != "xenstore-watch")
                throw UsageError{"unknown command '" + args[0] + "'"};
            if (args.size() < 2)
                throw UsageError{args[0] + ": PATH"};
            return xenstore(args, through_xenbus);
        }
        if (args[0] == "console")
            return console(args);
        tern::dom0::Privcmd privcmd(path);
        ControlClient control(privcmd, version);
        return run(privcmd, control, args);
    } catch (const UsageError& e) {
        std::cerr << "tern-ctl: " << e.what << "\n" << kUsage;
        return 2;
    } catch (const tern::dom0::ConfigError& e) {
        std::cerr << "tern-ctl: " << e.what() << "\n";
        return 2;
    } catch (const std::runtime_error& e) {  // ControlError, and the builder's refusals
        std::cerr << "tern-ctl: " << e.what() << "\n";
        return 1;
    }
}
