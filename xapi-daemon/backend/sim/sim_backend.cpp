// The simulated host: domains in a map under one mutex, accounted against the host's size.
#include "backend/sim/sim_backend.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <thread>

namespace tern::xapi {
namespace {

constexpr std::array kOpNames{
    std::pair{SimOp::build, "build"},
    std::pair{SimOp::pause, "pause"},
    std::pair{SimOp::unpause, "unpause"},
    std::pair{SimOp::clean_shutdown, "clean_shutdown"},
    std::pair{SimOp::destroy, "destroy"},
    std::pair{SimOp::suspend, "suspend"},
    std::pair{SimOp::resume, "resume"},
    std::pair{SimOp::migrate, "migrate"},
    std::pair{SimOp::core_dump, "core_dump"},
    std::pair{SimOp::rename, "rename"},
    std::pair{SimOp::set_memory_target, "set_memory_target"},
    std::pair{SimOp::set_memory_max, "set_memory_max"},
    std::pair{SimOp::set_vcpus_online, "set_vcpus_online"},
    std::pair{SimOp::pin_vcpu, "pin_vcpu"},
    std::pair{SimOp::set_scheduler, "set_scheduler"},
    std::pair{SimOp::attach_disk, "attach_disk"},
    std::pair{SimOp::detach_disk, "detach_disk"},
    std::pair{SimOp::attach_nic, "attach_nic"},
    std::pair{SimOp::detach_nic, "detach_nic"},
    std::pair{SimOp::send_sysrq, "send_sysrq"},
    std::pair{SimOp::send_trigger, "send_trigger"},
};

// The slice in which a long operation reports progress and looks for a cancel.
constexpr auto kSlice = std::chrono::milliseconds(10);
// What a simulated vCPU is busy with while its domain runs.
constexpr double kSimUtilisation = 0.05;
constexpr const char* kImageMagic = "tern-sim-suspend-image 1";
constexpr const char* kPersistMagic = "tern-sim-domains 1";

BackendError no_domain(DomainId id) {
    return {"INTERNAL_ERROR", {"no such domain: " + std::to_string(id.value)}};
}

BackendError cancelled() {
    return {"TASK_CANCELLED", {}};
}

}  // namespace

std::string_view to_string(SimOp op) {
    for (const auto& [o, name] : kOpNames) {
        if (o == op)
            return name;
    }
    return "";
}

std::optional<SimOp> parse_sim_op(std::string_view text) {
    for (const auto& [o, name] : kOpNames) {
        if (text == name)
            return o;
    }
    return std::nullopt;
}

SimBackend::SimBackend(SimConfig config) : config_(std::move(config)) {
    if (!config_.persist_file.empty())
        load_persisted();
}

// The persisted domains: one line each, fields separated by spaces, the name last (it may
// hold spaces); "-" stands for an empty uuid.
void SimBackend::persist_locked() {
    if (config_.persist_file.empty())
        return;
    const auto temp = config_.persist_file.string() + ".new";
    {
        std::ofstream out(temp, std::ios::trunc);
        out << kPersistMagic << "\nnext " << next_id_ << "\n";
        for (const auto& [id, d] : domains_) {
            out << "domain " << id.value << " " << static_cast<int>(d.state) << " "
                << d.memory_actual << " " << d.memory_max << " " << d.vcpus_online << " "
                << d.config.vcpus_max << " " << d.weight << " " << d.cap << " "
                << (d.config.uuid.empty() ? "-" : d.config.uuid) << " " << d.config.name << "\n";
        }
    }
    std::error_code ignored;
    std::filesystem::rename(temp, config_.persist_file, ignored);
}

void SimBackend::load_persisted() {
    std::ifstream in(config_.persist_file);
    std::string line;
    if (!std::getline(in, line) || line != kPersistMagic)
        return;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string kind;
        fields >> kind;
        if (kind == "next") {
            fields >> next_id_;
            continue;
        }
        if (kind != "domain")
            continue;
        std::int32_t id = 0;
        int state = 0;
        Domain d;
        fields >> id >> state >> d.memory_actual >> d.memory_max >> d.vcpus_online >>
            d.config.vcpus_max >> d.weight >> d.cap >> d.config.uuid;
        std::getline(fields >> std::ws, d.config.name);
        if (!fields && !fields.eof())
            continue;
        if (d.config.uuid == "-")
            d.config.uuid.clear();
        d.state = static_cast<DomainState>(state);
        d.running_since = std::chrono::steady_clock::now();
        domains_.emplace(DomainId{id}, std::move(d));
    }
}

void SimBackend::set_listener(Listener* listener) {
    std::lock_guard lock(mutex_);
    listener_ = listener;
}

void SimBackend::inject_failure(SimOp op, BackendError error, int times) {
    std::lock_guard lock(mutex_);
    injected_[op] = Injected{std::move(error), times};
}

void SimBackend::set_latency(SimOp op, std::chrono::milliseconds latency) {
    std::lock_guard lock(mutex_);
    config_.latency_of[op] = latency;
}

std::optional<BackendError> SimBackend::injected(SimOp op) {
    std::lock_guard lock(mutex_);
    auto it = injected_.find(op);
    if (it == injected_.end() || it->second.times <= 0)
        return std::nullopt;
    BackendError error = it->second.error;
    if (--it->second.times == 0)
        injected_.erase(it);
    return error;
}

Outcome<void> SimBackend::work(SimOp op, const OperationControl& control) {
    std::chrono::milliseconds latency;
    {
        std::lock_guard lock(mutex_);
        auto it = config_.latency_of.find(op);
        latency = it != config_.latency_of.end() ? it->second : config_.latency;
    }
    const auto start = std::chrono::steady_clock::now();
    const auto end = start + latency;
    control.progress(0.0);
    for (auto now = start; now < end; now = std::chrono::steady_clock::now()) {
        if (control.is_cancelled())
            return cancelled();
        std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(kSlice, end - now));
        const double done =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start) /
            std::chrono::duration<double>(latency);
        control.progress(std::min(done, 1.0));
    }
    if (control.is_cancelled())
        return cancelled();
    if (auto error = injected(op))
        return *error;
    control.progress(1.0);
    return {};
}

std::int64_t SimBackend::memory_used_locked() const {
    std::int64_t used = 0;
    for (const auto& [id, d] : domains_)
        used += d.memory_actual;
    return used;
}

SimBackend::Domain* SimBackend::find_locked(DomainId id) {
    auto it = domains_.find(id);
    return it == domains_.end() ? nullptr : &it->second;
}

void SimBackend::account_cpu(Domain& d) {
    if (d.state == DomainState::running) {
        const auto now = std::chrono::steady_clock::now();
        d.cpu_time += std::chrono::duration_cast<std::chrono::nanoseconds>(
            (now - d.running_since) * kSimUtilisation * static_cast<double>(d.vcpus_online));
        d.running_since = now;
    }
}

DomainInfo SimBackend::info_locked(DomainId id, const Domain& d) const {
    DomainInfo info;
    info.id = id;
    info.uuid = d.config.uuid;
    info.name = d.config.name;
    info.state = d.state;
    info.memory_actual = d.memory_actual;
    info.memory_max = d.memory_max;
    info.vcpus_online = d.vcpus_online;
    info.vcpus_max = d.config.vcpus_max;
    info.cpu_time = d.cpu_time;
    const double busy = d.state == DomainState::running ? kSimUtilisation : 0.0;
    info.vcpu_utilisation.assign(static_cast<std::size_t>(d.vcpus_online), busy);
    return info;
}

HostInfo SimBackend::host_info() {
    std::lock_guard lock(mutex_);
    return {config_.memory_total, config_.memory_total - memory_used_locked(), config_.cpus};
}

std::vector<DomainInfo> SimBackend::list_domains() {
    std::lock_guard lock(mutex_);
    std::vector<DomainInfo> out;
    for (auto& [id, d] : domains_) {
        account_cpu(d);
        out.push_back(info_locked(id, d));
    }
    return out;
}

std::optional<DomainInfo> SimBackend::domain_info(DomainId domain) {
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return std::nullopt;
    account_cpu(*d);
    return info_locked(domain, *d);
}

Outcome<DomainId> SimBackend::create_locked(const DomainConfig& config, std::int64_t memory) {
    if (config.vcpus_online < 1 || config.vcpus_online > config.vcpus_max ||
        config.vcpus_max > config_.cpus) {
        return BackendError{"VM_TOO_MANY_VCPUS", {config.uuid}};
    }
    const std::int64_t available = config_.memory_total - memory_used_locked();
    if (memory > available) {
        return BackendError{"HOST_NOT_ENOUGH_FREE_MEMORY",
                            {std::to_string(memory), std::to_string(available)}};
    }
    const DomainId id{next_id_++};
    Domain d;
    d.config = config;
    d.state = DomainState::paused;
    d.memory_actual = memory;
    d.memory_max = std::max(config.memory_max, memory);
    d.vcpus_online = config.vcpus_online;
    domains_.emplace(id, std::move(d));
    persist_locked();
    return id;
}

Outcome<DomainId> SimBackend::build(const DomainConfig& config, const OperationControl& op) {
    // Refuse at once what cannot fit, before spending the build's time.
    {
        std::lock_guard lock(mutex_);
        const std::int64_t available = config_.memory_total - memory_used_locked();
        if (config.memory_target > available) {
            return BackendError{"HOST_NOT_ENOUGH_FREE_MEMORY",
                                {std::to_string(config.memory_target), std::to_string(available)}};
        }
    }
    if (auto done = work(SimOp::build, op); !done)
        return done.error();
    std::lock_guard lock(mutex_);
    return create_locked(config, config.memory_target);
}

Outcome<void> SimBackend::pause(DomainId domain) {
    if (auto done = work(SimOp::pause, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    account_cpu(*d);
    d->state = DomainState::paused;
    persist_locked();
    return {};
}

Outcome<void> SimBackend::unpause(DomainId domain) {
    if (auto done = work(SimOp::unpause, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    if (d->state == DomainState::paused) {
        d->state = DomainState::running;
        persist_locked();
        d->running_since = std::chrono::steady_clock::now();
    }
    return {};
}

Outcome<void> SimBackend::clean_shutdown(DomainId domain, bool reboot,
                                         std::chrono::milliseconds timeout,
                                         const OperationControl& op) {
    (void)reboot;  // the simulated guest stops the same way either way
    bool ignores = false;
    std::string uuid;
    {
        std::lock_guard lock(mutex_);
        Domain* d = find_locked(domain);
        if (d == nullptr)
            return no_domain(domain);
        ignores = d->ignores_shutdown;
        uuid = d->config.uuid;
    }
    if (ignores) {
        const auto end = std::chrono::steady_clock::now() + timeout;
        for (auto now = std::chrono::steady_clock::now(); now < end;
             now = std::chrono::steady_clock::now()) {
            if (op.is_cancelled())
                return cancelled();
            std::this_thread::sleep_for(std::min<std::chrono::nanoseconds>(kSlice, end - now));
        }
        return BackendError{"VM_SHUTDOWN_TIMEOUT", {uuid, std::to_string(timeout.count() / 1000)}};
    }
    if (auto done = work(SimOp::clean_shutdown, op); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    account_cpu(*d);
    d->state = DomainState::shutdown;
    d->console.reset();  // the guest is gone: attached clients see the console close
    persist_locked();
    return {};
}

Outcome<void> SimBackend::destroy(DomainId domain) {
    if (auto done = work(SimOp::destroy, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    if (domains_.erase(domain) == 0)
        return no_domain(domain);
    persist_locked();
    return {};
}

Outcome<void> SimBackend::suspend(DomainId domain, const std::filesystem::path& file,
                                  const OperationControl& op) {
    if (auto done = work(SimOp::suspend, op); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    std::ofstream out(file, std::ios::trunc);
    out << kImageMagic << "\nuuid=" << d->config.uuid << "\nmemory=" << d->memory_actual
        << "\nvcpus=" << d->vcpus_online << "\n";
    out.close();
    if (!out)
        return BackendError{"INTERNAL_ERROR", {"cannot write the image " + file.string()}};
    domains_.erase(domain);
    persist_locked();
    return {};
}

Outcome<DomainId> SimBackend::resume(const DomainConfig& config, const std::filesystem::path& file,
                                     const OperationControl& op) {
    std::ifstream in(file);
    std::string magic;
    std::getline(in, magic);
    if (magic != kImageMagic)
        return BackendError{"INTERNAL_ERROR", {"not a suspend image: " + file.string()}};
    std::map<std::string, std::string> keys;
    for (std::string line; std::getline(in, line);) {
        if (auto eq = line.find('='); eq != std::string::npos)
            keys[line.substr(0, eq)] = line.substr(eq + 1);
    }
    if (keys["uuid"] != config.uuid)
        return BackendError{"INTERNAL_ERROR", {"the image is of another VM: " + keys["uuid"]}};
    const std::int64_t memory = std::stoll(keys["memory"].empty() ? "0" : keys["memory"]);
    {
        std::lock_guard lock(mutex_);
        const std::int64_t available = config_.memory_total - memory_used_locked();
        if (memory > available) {
            return BackendError{"HOST_NOT_ENOUGH_FREE_MEMORY",
                                {std::to_string(memory), std::to_string(available)}};
        }
    }
    if (auto done = work(SimOp::resume, op); !done)
        return done.error();
    std::lock_guard lock(mutex_);
    return create_locked(config, memory);
}

Outcome<void> SimBackend::migrate(DomainId domain, const std::string& destination, bool live,
                                  const OperationControl& op) {
    (void)live;
    std::string uuid;
    {
        std::lock_guard lock(mutex_);
        Domain* d = find_locked(domain);
        if (d == nullptr)
            return no_domain(domain);
        uuid = d->config.uuid;
    }
    if (destination.empty())
        return BackendError{"VM_MIGRATE_FAILED", {uuid, "sim", destination, "no destination"}};
    if (auto done = work(SimOp::migrate, op); !done)
        return done;
    std::lock_guard lock(mutex_);
    domains_.erase(domain);
    persist_locked();
    return {};
}

Outcome<void> SimBackend::core_dump(DomainId domain, const std::filesystem::path& file) {
    if (auto done = work(SimOp::core_dump, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    std::ofstream out(file, std::ios::trunc);
    out << "tern-sim-core 1\nuuid=" << d->config.uuid << "\nmemory=" << d->memory_actual << "\n";
    if (!out)
        return BackendError{"INTERNAL_ERROR", {"cannot write the core " + file.string()}};
    return {};
}

Outcome<void> SimBackend::rename(DomainId domain, const std::string& name) {
    if (auto done = work(SimOp::rename, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    d->config.name = name;
    d->config.uuid.clear();  // it no longer stands for the VM
    persist_locked();
    return {};
}

Outcome<void> SimBackend::set_memory_target(DomainId domain, std::int64_t bytes) {
    if (auto done = work(SimOp::set_memory_target, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    const std::int64_t available = config_.memory_total - memory_used_locked();
    if (bytes - d->memory_actual > available) {
        return BackendError{"HOST_NOT_ENOUGH_FREE_MEMORY",
                            {std::to_string(bytes - d->memory_actual), std::to_string(available)}};
    }
    d->memory_actual = std::min(bytes, d->memory_max);
    persist_locked();
    return {};
}

Outcome<void> SimBackend::set_memory_max(DomainId domain, std::int64_t bytes) {
    if (auto done = work(SimOp::set_memory_max, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    d->memory_max = bytes;
    d->memory_actual = std::min(d->memory_actual, bytes);
    persist_locked();
    return {};
}

Outcome<void> SimBackend::set_vcpus_online(DomainId domain, std::int64_t count) {
    if (auto done = work(SimOp::set_vcpus_online, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    if (count < 1 || count > d->config.vcpus_max)
        return BackendError{"VM_TOO_MANY_VCPUS", {d->config.uuid}};
    account_cpu(*d);
    d->vcpus_online = count;
    persist_locked();
    return {};
}

Outcome<void> SimBackend::pin_vcpu(DomainId domain, std::int64_t vcpu,
                                   const std::vector<std::int64_t>& cpus) {
    if (auto done = work(SimOp::pin_vcpu, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    for (std::int64_t cpu : cpus) {
        if (cpu < 0 || cpu >= config_.cpus)
            return BackendError{"INVALID_VALUE", {"cpumap", std::to_string(cpu)}};
    }
    if (vcpu < 0 || vcpu >= d->config.vcpus_max)
        return BackendError{"INVALID_VALUE", {"vcpu", std::to_string(vcpu)}};
    d->pins[vcpu] = cpus;
    return {};
}

Outcome<void> SimBackend::set_scheduler(DomainId domain, std::int64_t weight, std::int64_t cap) {
    if (auto done = work(SimOp::set_scheduler, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    d->weight = weight;
    persist_locked();
    d->cap = cap;
    return {};
}

Outcome<void> SimBackend::attach_disk(DomainId domain, const DiskConfig& disk) {
    if (auto done = work(SimOp::attach_disk, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    auto& disks = d->config.disks;
    if (std::any_of(disks.begin(), disks.end(),
                    [&](const DiskConfig& x) { return x.device == disk.device; })) {
        return BackendError{"DEVICE_ALREADY_ATTACHED", {disk.device}};
    }
    disks.push_back(disk);
    return {};
}

Outcome<void> SimBackend::detach_disk(DomainId domain, const std::string& device) {
    if (auto done = work(SimOp::detach_disk, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    if (std::erase_if(d->config.disks, [&](const DiskConfig& x) { return x.device == device; }) ==
        0) {
        return BackendError{"DEVICE_ALREADY_DETACHED", {device}};
    }
    return {};
}

Outcome<void> SimBackend::attach_nic(DomainId domain, const NicConfig& nic) {
    if (auto done = work(SimOp::attach_nic, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    auto& nics = d->config.nics;
    if (std::any_of(nics.begin(), nics.end(),
                    [&](const NicConfig& x) { return x.device == nic.device; })) {
        return BackendError{"DEVICE_ALREADY_ATTACHED", {nic.device}};
    }
    nics.push_back(nic);
    return {};
}

Outcome<void> SimBackend::detach_nic(DomainId domain, const std::string& device) {
    if (auto done = work(SimOp::detach_nic, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    if (std::erase_if(d->config.nics, [&](const NicConfig& x) { return x.device == device; }) ==
        0) {
        return BackendError{"DEVICE_ALREADY_DETACHED", {device}};
    }
    return {};
}

bool SimBackend::guest_exit(DomainId domain, GuestExit how) {
    Listener* listener = nullptr;
    {
        std::lock_guard lock(mutex_);
        Domain* d = find_locked(domain);
        if (d == nullptr || (d->state != DomainState::running && d->state != DomainState::paused)) {
            return false;
        }
        account_cpu(*d);
        d->console.reset();
        switch (how) {
            case GuestExit::poweroff:
            case GuestExit::reboot:
                d->state = DomainState::shutdown;
                break;
            case GuestExit::crash:
                d->state = DomainState::crashed;
                break;
            case GuestExit::vanished:
                domains_.erase(domain);
                break;
        }
        persist_locked();
        listener = listener_;
    }
    if (listener != nullptr)
        listener->guest_exited(domain, how);
    return true;
}

bool SimBackend::set_ignores_shutdown(DomainId domain, bool ignores) {
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return false;
    d->ignores_shutdown = ignores;
    return true;
}

Outcome<void> SimBackend::send_sysrq(DomainId domain, char key) {
    if (auto done = work(SimOp::send_sysrq, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    d->sysrqs.push_back(key);
    return {};
}

Outcome<void> SimBackend::send_trigger(DomainId domain, GuestTrigger trigger) {
    if (auto done = work(SimOp::send_trigger, {}); !done)
        return done;
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    d->triggers.push_back(trigger);
    return {};
}

std::string SimBackend::sysrqs_of(DomainId domain) const {
    std::lock_guard lock(mutex_);
    auto it = domains_.find(domain);
    return it == domains_.end() ? std::string() : it->second.sysrqs;
}

Outcome<ConsoleStream> SimBackend::open_console(DomainId domain) {
    std::lock_guard lock(mutex_);
    Domain* d = find_locked(domain);
    if (d == nullptr)
        return no_domain(domain);
    if (d->state != DomainState::running && d->state != DomainState::paused) {
        return BackendError{"VM_BAD_POWER_STATE", {d->config.uuid, "running", "halted"}};
    }
    if (!d->console)
        d->console = std::make_shared<SimConsole>(domain, d->config.name);
    return d->console->attach();
}

std::vector<GuestTrigger> SimBackend::triggers_of(DomainId domain) const {
    std::lock_guard lock(mutex_);
    auto it = domains_.find(domain);
    return it == domains_.end() ? std::vector<GuestTrigger>() : it->second.triggers;
}

}  // namespace tern::xapi
