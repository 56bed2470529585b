#include "dom0/control/control_client.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "dom0/control/control_error.hpp"

namespace tern::dom0 {

namespace {

std::string hex(std::uint32_t v) {
    char text[16];
    std::snprintf(text, sizeof text, "%#x", v);
    return text;
}

}  // namespace

tern_control ControlClient::make(std::uint32_t cmd, std::uint32_t domain) const {
    tern_control c{};
    c.interface_version = version_;
    c.cmd = cmd;
    c.domain = domain;
    return c;
}

void ControlClient::call(tern_control& c, const char* what) {
    const std::int64_t result =
        privcmd_.hypercall(TERN_CONTROL_HYPERCALL, reinterpret_cast<std::uintptr_t>(&c));
    if (result >= 0)
        return;
    const int error = static_cast<int>(-result);
    std::string message = std::string(what) + ": " + std::strerror(error);
    if (error == EACCES) {
        message += " (control interface version " + hex(version_) +
                   " refused; the hypervisor's is " + hex(c.interface_version) + ")";
    } else if (error == EPERM) {
        message += " (only the control domain may manage domains)";
    } else if (error == EBUSY && c.cmd == TERN_CONTROL_UNPAUSE) {
        message += " (no room to run its vCPUs: the scheduler's 64 vCPUs are all taken)";
    } else if (error == EINVAL && c.cmd == TERN_CONTROL_UNPAUSE) {
        message += " (vCPU 0 has no entry point: build the domain first)";
    }
    throw ControlError(message, error);
}

std::uint32_t ControlClient::create(const DomainLimits& limits) {
    tern_control c = make(TERN_CONTROL_CREATE);
    c.u.create.max_vcpus = limits.max_vcpus;
    c.u.create.max_memory_kib = limits.max_memory_kib;
    c.u.create.max_grant_frames = limits.max_grant_frames;
    c.u.create.max_event_channels = limits.max_event_channels;
    std::memcpy(c.u.create.handle, limits.handle.data(), sizeof c.u.create.handle);
    call(c, "create a domain");
    return c.domain;
}

void ControlClient::destroy(std::uint32_t domain) {
    tern_control c = make(TERN_CONTROL_DESTROY, domain);
    call(c, ("destroy domain " + std::to_string(domain)).c_str());
}

void ControlClient::pause(std::uint32_t domain) {
    tern_control c = make(TERN_CONTROL_PAUSE, domain);
    call(c, ("pause domain " + std::to_string(domain)).c_str());
}

void ControlClient::unpause(std::uint32_t domain) {
    tern_control c = make(TERN_CONTROL_UNPAUSE, domain);
    call(c, ("unpause domain " + std::to_string(domain)).c_str());
}

void ControlClient::shutdown(std::uint32_t domain, std::uint32_t reason) {
    tern_control c = make(TERN_CONTROL_SHUTDOWN, domain);
    c.u.shutdown.reason = reason;
    call(c, ("shut down domain " + std::to_string(domain)).c_str());
}

tern_domain_info ControlClient::info(std::uint32_t domain) {
    tern_control c = make(TERN_CONTROL_GET_INFO, domain);
    call(c, ("get the state of domain " + std::to_string(domain)).c_str());
    return c.u.info;
}

std::vector<tern_domain_info> ControlClient::list() {
    std::vector<tern_domain_info> all;
    std::vector<tern_domain_info> page(TERN_MAX_DOMAINS);
    std::uint32_t next = 0;
    for (;;) {
        tern_control c = make(TERN_CONTROL_LIST);
        c.u.list.first_domain = next;
        c.u.list.max_entries = static_cast<std::uint32_t>(page.size());
        c.u.list.entries = reinterpret_cast<std::uintptr_t>(page.data());
        call(c, "list domains");
        all.insert(all.end(), page.begin(), page.begin() + c.u.list.returned);
        if (c.u.list.returned < page.size())
            return all;
        next = all.back().domain + 1;
    }
}

void ControlClient::populate(std::uint32_t domain, std::uint64_t first_gfn, std::uint64_t pages) {
    tern_control c = make(TERN_CONTROL_POPULATE_MEMORY, domain);
    c.u.memory.first_gfn = first_gfn;
    c.u.memory.nr_pages = pages;
    call(
        c,
        ("give domain " + std::to_string(domain) + " " + std::to_string(pages) + " pages").c_str());
}

std::uint64_t ControlClient::release(std::uint32_t domain, std::uint64_t first_gfn,
                                     std::uint64_t pages) {
    tern_control c = make(TERN_CONTROL_RELEASE_MEMORY, domain);
    c.u.memory.first_gfn = first_gfn;
    c.u.memory.nr_pages = pages;
    call(c, ("take pages back from domain " + std::to_string(domain)).c_str());
    return c.u.memory.done;
}

void ControlClient::write_memory(std::uint32_t domain, std::uint64_t address,
                                 std::span<const std::uint8_t> bytes) {
    // 4 MiB a call: the control lock and dom0's vCPU are not held for long.
    constexpr std::size_t kPiece = 4u << 20;
    static_assert(kPiece <= TERN_CONTROL_WRITE_MAX);
    for (std::size_t done = 0; done < bytes.size(); done += kPiece) {
        tern_control c = make(TERN_CONTROL_WRITE_MEMORY, domain);
        c.u.write.address = address + done;
        c.u.write.buffer = reinterpret_cast<std::uintptr_t>(bytes.data() + done);
        c.u.write.size = std::min(kPiece, bytes.size() - done);
        call(c, ("write domain " + std::to_string(domain) + "'s memory").c_str());
    }
}

void ControlClient::set_vcpu_context(std::uint32_t domain, std::uint32_t vcpu, std::uint64_t pc,
                                     std::uint64_t x0) {
    tern_control c = make(TERN_CONTROL_SET_VCPU_CONTEXT, domain);
    c.u.vcpu_context.vcpu = vcpu;
    c.u.vcpu_context.pc = pc;
    c.u.vcpu_context.x0 = x0;
    call(c, ("set the start of vCPU " + std::to_string(vcpu)).c_str());
}

void ControlClient::set_hvm_param(std::uint32_t domain, std::uint32_t index, std::uint64_t value) {
    tern_control c = make(TERN_CONTROL_SET_HVM_PARAM, domain);
    c.u.hvm_param.index = index;
    c.u.hvm_param.value = value;
    call(c, ("set HVM parameter " + std::to_string(index)).c_str());
}

std::uint64_t ControlClient::hvm_param(std::uint32_t domain, std::uint32_t index) {
    tern_control c = make(TERN_CONTROL_GET_HVM_PARAM, domain);
    c.u.hvm_param.index = index;
    call(c, ("get HVM parameter " + std::to_string(index)).c_str());
    return c.u.hvm_param.value;
}

void ControlClient::set_scheduling(std::uint32_t domain, std::uint32_t weight, std::uint32_t cap) {
    tern_control c = make(TERN_CONTROL_SCHED_SET, domain);
    c.u.sched = {weight, cap};
    call(c, ("set the weight and cap of domain " + std::to_string(domain)).c_str());
}

tern_control_sched ControlClient::scheduling(std::uint32_t domain) {
    tern_control c = make(TERN_CONTROL_SCHED_GET, domain);
    call(c, ("get the weight and cap of domain " + std::to_string(domain)).c_str());
    return c.u.sched;
}

void ControlClient::set_vcpu_affinity(std::uint32_t domain, std::uint32_t vcpu,
                                      std::uint32_t cpumap) {
    tern_control c = make(TERN_CONTROL_VCPU_AFFINITY, domain);
    c.u.affinity = {vcpu, cpumap};
    call(c, ("pin vCPU " + std::to_string(vcpu) + " of domain " + std::to_string(domain)).c_str());
}

std::uint32_t ControlClient::alloc_unbound(std::uint32_t domain, std::uint32_t remote) {
    tern_control c = make(TERN_CONTROL_ALLOC_UNBOUND, domain);
    c.u.evtchn.remote_domain = remote;
    call(c, ("allocate an event channel in domain " + std::to_string(domain)).c_str());
    return c.u.evtchn.port;
}

PhysInfo ControlClient::physinfo() {
    tern_control c = make(TERN_CONTROL_PHYSINFO);
    call(c, "read the host's figures");
    return {c.u.physinfo.nr_cpus, c.u.physinfo.max_domains, c.u.physinfo.total_pages,
            c.u.physinfo.free_pages};
}

std::string state_name(std::uint32_t state) {
    switch (state) {
        case TERN_DOMAIN_PAUSED:
            return "paused";
        case TERN_DOMAIN_RUNNING:
            return "running";
        case TERN_DOMAIN_SHUTDOWN:
            return "shutdown";
        default:
            return "unknown";
    }
}

std::string shutdown_reason_name(std::uint32_t reason) {
    static const char* const kNames[] = {"poweroff", "reboot", "suspend", "crash", "watchdog"};
    return reason < 5 ? kNames[reason] : "unknown";
}

}  // namespace tern::dom0
