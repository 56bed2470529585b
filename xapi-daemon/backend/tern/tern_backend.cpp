// TernBackend: real domains on Tern, from dom0.
#include "backend/tern/tern_backend.hpp"

#include <fcntl.h>
#include <termios.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

#include "backend/tern/tern_mapping.hpp"
#include "dom0/control/control_error.hpp"

namespace tern::xapi {
namespace {

constexpr std::int64_t kPage = 4096;

std::uint32_t raw(DomainId domain) {
    return static_cast<std::uint32_t>(domain.value);
}

// A hypervisor refusal or a dom0 failure as the XenAPI error xapid answers with.
BackendError error_of(const std::exception& e, DomainId domain) {
    if (const auto* control = dynamic_cast<const dom0::ControlError*>(&e)) {
        if (control->error() == ESRCH || control->error() == ENOENT)
            return no_such_domain(domain);
    }
    return {"INTERNAL_ERROR", {e.what()}};
}

BackendError cancelled() {
    return {"TASK_CANCELLED", {}};
}

}  // namespace

TernBackend::TernBackend(std::unique_ptr<TernHost> host, TernOptions options)
    : host_(std::move(host)), options_(options) {}

TernBackend::~TernBackend() {
    stop_watching();
}

void TernBackend::set_listener(Listener* listener) {
    if (listener == nullptr) {
        stop_watching();
        std::lock_guard lock(listener_mutex_);
        listener_ = nullptr;
        return;
    }
    {
        std::lock_guard lock(listener_mutex_);
        listener_ = listener;
    }
    if (!watcher_.joinable()) {
        stopping_ = false;
        watcher_ = std::thread([this] { watch_loop(); });
    }
}

void TernBackend::stop_watching() {
    stopping_ = true;
    if (watcher_.joinable())
        watcher_.join();
}

void TernBackend::watch_loop() {
    scan_for_exits();  // at least once, however soon the watch is stopped
    while (!stopping_) {
        host_->wait_for_domain_change(options_.poll_interval);
        scan_for_exits();
    }
}

void TernBackend::scan_for_exits() {
    std::vector<std::pair<DomainId, GuestExit>> exits;
    {
        std::lock_guard lock(tracker_mutex_);
        try {
            exits = tracker_.update(host_->list());
        } catch (const std::exception& e) {
            std::cerr << "xapid: tern: listing domains: " << e.what() << "\n";
            return;
        }
    }
    Listener* listener = nullptr;
    {
        std::lock_guard lock(listener_mutex_);
        listener = listener_;
    }
    for (const auto& [domain, how] : exits) {
        if (listener != nullptr)
            listener->guest_exited(domain, how);
    }
}

HostInfo TernBackend::host_info() {
    try {
        const dom0::PhysInfo p = host_->physinfo();
        return {static_cast<std::int64_t>(p.total_pages) * kPage,
                static_cast<std::int64_t>(p.free_pages) * kPage, p.nr_cpus};
    } catch (const std::exception& e) {
        std::cerr << "xapid: tern: physinfo: " << e.what() << "\n";
        return {};
    }
}

std::optional<tern_domain_info> TernBackend::find(DomainId domain) {
    for (const tern_domain_info& d : host_->list()) {
        if (d.domain == raw(domain))
            return d;
    }
    return std::nullopt;
}

DomainInfo TernBackend::info_of(const tern_domain_info& d) {
    DomainInfo info;
    info.id = DomainId{static_cast<std::int32_t>(d.domain)};
    DomainHandle handle{};
    std::copy(std::begin(d.handle), std::end(d.handle), handle.begin());
    info.uuid = uuid_of(handle);
    info.state = state_of(d);
    info.memory_actual = static_cast<std::int64_t>(d.pages) * kPage;
    info.memory_max = static_cast<std::int64_t>(d.max_pages) * kPage;
    info.vcpus_max = d.vcpus;
    info.vcpus_online = d.vcpus;
    info.name = "domain-" + std::to_string(d.domain);
    try {
        if (auto name = host_->read_key(d.domain, "name"))
            info.name = *name;
        for (std::uint32_t cpu = 0; cpu < d.vcpus; ++cpu) {
            auto availability =
                host_->read_key(d.domain, "cpu/" + std::to_string(cpu) + "/availability");
            if (availability && *availability == "offline")
                --info.vcpus_online;
        }
    } catch (const std::exception&) {
        // xenstored is down: the hypervisor's figures still stand.
    }
    info.cpu_time = std::chrono::nanoseconds(d.cpu_time_ns);
    double utilisation = 0.0;
    {
        std::lock_guard lock(meter_mutex_);
        utilisation =
            meter_.sample(d.domain, d.cpu_time_ns, info.vcpus_online, CpuMeter::Clock::now());
    }
    if (info.state != DomainState::running)
        utilisation = 0.0;
    info.vcpu_utilisation.assign(static_cast<std::size_t>(info.vcpus_online), utilisation);
    return info;
}

std::vector<DomainInfo> TernBackend::list_domains() {
    std::vector<DomainInfo> out;
    try {
        for (const tern_domain_info& d : host_->list())
            out.push_back(info_of(d));
    } catch (const std::exception& e) {
        std::cerr << "xapid: tern: listing domains: " << e.what() << "\n";
    }
    return out;
}

std::optional<DomainInfo> TernBackend::domain_info(DomainId domain) {
    try {
        if (auto d = find(domain))
            return info_of(*d);
    } catch (const std::exception& e) {
        std::cerr << "xapid: tern: domain " << domain.value << ": " << e.what() << "\n";
    }
    return std::nullopt;
}

Outcome<DomainId> TernBackend::build(const DomainConfig& config, const OperationControl& op) {
    auto guest = guest_config_of(config);
    if (!guest)
        return guest.error();
    const dom0::GuestConfig& g = guest.value();
    std::uint32_t id = 0;
    try {
        const dom0::PhysInfo p = host_->physinfo();
        const std::int64_t needed = static_cast<std::int64_t>(g.memory_mib) << 20;
        const std::int64_t available = static_cast<std::int64_t>(p.free_pages) * kPage;
        if (needed > available)
            return BackendError{"HOST_NOT_ENOUGH_FREE_MEMORY",
                                {std::to_string(needed), std::to_string(available)}};
        if (op.is_cancelled())
            return cancelled();
        op.progress(0.1);
        id = host_->build(g);
    } catch (const dom0::ControlError& e) {
        if (e.error() == ENOMEM)
            return BackendError{"HOST_NOT_ENOUGH_FREE_MEMORY",
                                {std::to_string(g.memory_mib << 20), e.what()}};
        return BackendError{"INTERNAL_ERROR", {e.what()}};
    } catch (const StoreError& e) {
        return BackendError{"INTERNAL_ERROR", {e.what()}};
    } catch (const std::exception& e) {
        return BackendError{"BOOTLOADER_FAILED", {config.uuid, e.what()}};
    }
    {
        std::lock_guard lock(tracker_mutex_);
        tracker_.forget(id);
    }
    {
        std::lock_guard lock(meter_mutex_);
        meter_.forget(id);
    }
    op.progress(0.8);
    // What the guest's drivers read: its memory ceiling and balloon target (KiB, all of its
    // memory to begin with) and which vCPUs stay online.
    try {
        host_->write_key(id, "memory/static-max", std::to_string(g.memory_mib * 1024));
        host_->write_key(id, "memory/target", std::to_string(g.memory_mib * 1024));
        for (std::uint32_t cpu = 0; cpu < g.vcpus; ++cpu) {
            host_->write_key(id, "cpu/" + std::to_string(cpu) + "/availability",
                             cpu < config.vcpus_online ? "online" : "offline");
        }
    } catch (const std::exception& e) {
        (void)destroy(DomainId{static_cast<std::int32_t>(id)});
        return BackendError{"INTERNAL_ERROR", {e.what()}};
    }
    if (op.is_cancelled()) {
        (void)destroy(DomainId{static_cast<std::int32_t>(id)});
        return cancelled();
    }
    op.progress(1.0);
    return DomainId{static_cast<std::int32_t>(id)};
}

Outcome<void> TernBackend::pause(DomainId domain) {
    try {
        if (!find(domain))
            return no_such_domain(domain);
        host_->pause(raw(domain));
    } catch (const std::exception& e) {
        return error_of(e, domain);
    }
    return {};
}

Outcome<void> TernBackend::unpause(DomainId domain) {
    try {
        if (!find(domain))
            return no_such_domain(domain);
        host_->unpause(raw(domain));
    } catch (const std::exception& e) {
        return error_of(e, domain);
    }
    return {};
}

Outcome<void> TernBackend::clean_shutdown(DomainId domain, bool reboot,
                                          std::chrono::milliseconds timeout,
                                          const OperationControl& op) {
    std::string uuid;
    try {
        auto d = find(domain);
        if (!d)
            return no_such_domain(domain);
        DomainHandle handle{};
        std::copy(std::begin(d->handle), std::end(d->handle), handle.begin());
        uuid = uuid_of(handle);
        {
            std::lock_guard lock(tracker_mutex_);
            tracker_.expect_stop(raw(domain));
        }
        if (d->state == TERN_DOMAIN_SHUTDOWN)
            return {};
        host_->write_key(raw(domain), "control/shutdown", reboot ? "reboot" : "poweroff");
    } catch (const std::exception& e) {
        std::lock_guard lock(tracker_mutex_);
        tracker_.unexpect_stop(raw(domain));
        return error_of(e, domain);
    }
    auto give_up = [&](BackendError error) -> Outcome<void> {
        std::lock_guard lock(tracker_mutex_);
        tracker_.unexpect_stop(raw(domain));
        return error;
    };
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + timeout;
    for (;;) {
        if (op.is_cancelled())
            return give_up(cancelled());
        try {
            auto d = find(domain);
            if (!d || d->state == TERN_DOMAIN_SHUTDOWN)
                return {};
        } catch (const std::exception& e) {
            return give_up(error_of(e, domain));
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline)
            break;
        op.progress(std::chrono::duration<double>(now - start) /
                    std::chrono::duration<double>(timeout));
        std::this_thread::sleep_for(
            std::min<std::chrono::nanoseconds>(options_.shutdown_poll, deadline - now));
    }
    return give_up(
        BackendError{"VM_SHUTDOWN_TIMEOUT", {uuid, std::to_string(timeout.count() / 1000)}});
}

Outcome<void> TernBackend::destroy(DomainId domain) {
    std::lock_guard lock(tracker_mutex_);  // no scan sees it half-gone
    try {
        if (find(domain))
            host_->destroy(raw(domain));
    } catch (const std::exception& e) {
        return error_of(e, domain);
    }
    tracker_.forget(raw(domain));
    return {};
}

Outcome<void> TernBackend::suspend(DomainId, const std::filesystem::path&,
                                   const OperationControl&) {
    return not_supported("VM.suspend", "Tern cannot save a domain's memory yet");
}

Outcome<DomainId> TernBackend::resume(const DomainConfig&, const std::filesystem::path&,
                                      const OperationControl&) {
    return not_supported("VM.resume", "Tern cannot restore a saved domain yet");
}

Outcome<void> TernBackend::migrate(DomainId, const std::string&, bool, const OperationControl&) {
    return not_supported("VM.pool_migrate", "Tern cannot migrate domains yet");
}

Outcome<void> TernBackend::core_dump(DomainId, const std::filesystem::path&) {
    return not_supported("VM.core_dump", "Tern cannot dump a domain's memory yet");
}

Outcome<void> TernBackend::write_key(DomainId domain, const std::string& key,
                                     const std::string& value) {
    try {
        if (!find(domain))
            return no_such_domain(domain);
        host_->write_key(raw(domain), key, value);
    } catch (const std::exception& e) {
        return error_of(e, domain);
    }
    return {};
}

Outcome<std::optional<std::string>> TernBackend::read_key(DomainId domain, const std::string& key) {
    try {
        if (!find(domain))
            return no_such_domain(domain);
        return host_->read_key(raw(domain), key);
    } catch (const std::exception& e) {
        return error_of(e, domain);
    }
}

Outcome<void> TernBackend::rename(DomainId domain, const std::string& name) {
    return write_key(domain, "name", name);
}

Outcome<void> TernBackend::set_memory_target(DomainId domain, std::int64_t bytes) {
    if (bytes <= 0)
        return BackendError{"INVALID_VALUE", {"memory_target", std::to_string(bytes)}};
    // Its balloon driver gives pages back down to the target and takes them again up to its
    // memory, never beyond (the hypervisor refuses pages over the domain's maximum).
    auto ceiling = read_key(domain, "memory/static-max");
    if (!ceiling)
        return ceiling.error();
    std::int64_t ceiling_kib = 0;
    try {
        ceiling_kib = ceiling.value() ? std::stoll(*ceiling.value()) : 0;
    } catch (const std::exception&) {
    }
    if (ceiling_kib > 0 && bytes / 1024 > ceiling_kib)
        return BackendError{"INVALID_VALUE", {"memory_target", std::to_string(bytes)}};
    return write_key(domain, "memory/target", std::to_string(bytes / 1024));
}

Outcome<void> TernBackend::set_memory_max(DomainId, std::int64_t) {
    return not_supported("VM.set_memory_static_max on a running VM",
                         "Tern cannot change a running domain's memory ceiling yet");
}

Outcome<void> TernBackend::set_vcpus_online(DomainId domain, std::int64_t count) {
    std::optional<tern_domain_info> d;
    try {
        d = find(domain);
    } catch (const std::exception& e) {
        return error_of(e, domain);
    }
    if (!d)
        return no_such_domain(domain);
    if (count < 1 || count > static_cast<std::int64_t>(d->vcpus)) {
        DomainHandle handle{};
        std::copy(std::begin(d->handle), std::end(d->handle), handle.begin());
        return BackendError{"VM_TOO_MANY_VCPUS", {uuid_of(handle)}};
    }
    for (std::uint32_t cpu = 0; cpu < d->vcpus; ++cpu) {
        auto done = write_key(domain, "cpu/" + std::to_string(cpu) + "/availability",
                              cpu < count ? "online" : "offline");
        if (!done)
            return done;
    }
    return {};
}

Outcome<void> TernBackend::pin_vcpu(DomainId domain, std::int64_t vcpu,
                                    const std::vector<std::int64_t>& cpus) {
    std::uint32_t cpumap = cpus.empty() ? ~std::uint32_t{0} : 0;  // none named: every CPU
    for (std::int64_t cpu : cpus) {
        if (cpu < 0 || cpu >= 32)
            return BackendError{"INVALID_VALUE", {"cpumap", std::to_string(cpu)}};
        cpumap |= std::uint32_t{1} << cpu;
    }
    try {
        auto d = find(domain);
        if (!d)
            return no_such_domain(domain);
        if (vcpu < 0 || vcpu >= static_cast<std::int64_t>(d->vcpus))
            return BackendError{"INVALID_VALUE", {"vcpu", std::to_string(vcpu)}};
        host_->set_vcpu_affinity(raw(domain), static_cast<std::uint32_t>(vcpu), cpumap);
    } catch (const std::exception& e) {
        return error_of(e, domain);
    }
    return {};
}

Outcome<void> TernBackend::set_scheduler(DomainId domain, std::int64_t weight, std::int64_t cap) {
    if (weight < 1 || weight > 65535)
        return BackendError{"INVALID_VALUE", {"weight", std::to_string(weight)}};
    if (cap < 0 || cap > 65535)
        return BackendError{"INVALID_VALUE", {"cap", std::to_string(cap)}};
    try {
        if (!find(domain))
            return no_such_domain(domain);
        host_->set_scheduling(raw(domain), static_cast<std::uint32_t>(weight),
                              static_cast<std::uint32_t>(cap));
    } catch (const std::exception& e) {
        return error_of(e, domain);
    }
    return {};
}

Outcome<void> TernBackend::attach_disk(DomainId, const DiskConfig& disk) {
    return not_supported("VBD.plug (" + disk.device + ")",
                         "disks are attached when the domain is built, not yet to a running one");
}

Outcome<void> TernBackend::detach_disk(DomainId, const std::string& device) {
    return not_supported("VBD.unplug (" + device + ")",
                         "disks go with the domain, not yet from a running one");
}

Outcome<void> TernBackend::attach_nic(DomainId, const NicConfig& nic) {
    return not_supported("VIF.plug (" + nic.device + ")",
                         "NICs are attached when the domain is built, not yet to a running one");
}

Outcome<void> TernBackend::detach_nic(DomainId, const std::string& device) {
    return not_supported("VIF.unplug (" + device + ")",
                         "NICs are attached when the domain is built, not yet to a running one");
}

Outcome<void> TernBackend::send_sysrq(DomainId domain, char key) {
    // Linux's xenbus driver watches control/sysrq and presses the key.
    return write_key(domain, "control/sysrq", std::string(1, key));
}

Outcome<void> TernBackend::send_trigger(DomainId, GuestTrigger) {
    return not_supported("VM.send_trigger", "Tern's virtual platform has no trigger lines yet");
}

Outcome<ConsoleStream> TernBackend::open_console(DomainId domain) {
    // A domain just built may not have its pty yet: tern-consoled makes it once it sees the
    // domain (`xm create -c` asks at once).
    std::optional<std::string> tty;
    const auto deadline = std::chrono::steady_clock::now() + options_.console_wait;
    for (;;) {
        auto read = read_key(domain, "console/tty");
        if (!read)
            return read.error();
        tty = std::move(read.value());
        if ((tty && !tty->empty()) || std::chrono::steady_clock::now() >= deadline)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!tty || tty->empty())
        return BackendError{"INTERNAL_ERROR",
                            {"domain " + std::to_string(domain.value) +
                             " has no console pty (is tern-consoled running?)"}};
    const int fd = ::open(tty->c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd < 0)
        return BackendError{"INTERNAL_ERROR",
                            {"cannot open the console " + *tty + ": " + std::strerror(errno)}};
    termios mode{};
    if (::tcgetattr(fd, &mode) == 0) {
        ::cfmakeraw(&mode);  // bytes as they are, both ways: no echo, no line editing
        ::tcsetattr(fd, TCSANOW, &mode);
    }
    return ConsoleStream(fd);
}

}  // namespace tern::xapi
