#include "common/control_plane.hpp"

#include "common/guest_errno.hpp"

namespace tern::hv {

namespace {

constexpr std::uint32_t kDefaultGrantFrames = 32;

}  // namespace

std::int64_t ControlPlane::op(pub::domid_t caller, GuestMemory& memory, std::uint64_t arg) {
    if (caller != kControlDomain)
        return kEperm;
    tern_control c{};
    if (!memory.read(arg, c))
        return kEfault;
    if (c.interface_version != TERN_CONTROL_INTERFACE_VERSION) {
        c.interface_version = TERN_CONTROL_INTERFACE_VERSION;
        return memory.write(arg, c) ? errno_of(Status::version_mismatch) : kEfault;
    }
    Status status = Status::ok;
    {
        lib::LockGuard guard(lock_);
        status = dispatch(c, memory);
    }
    if (status == Status::not_supported)
        return kEopnotsupp;
    if (status != Status::ok)
        return errno_of(status);
    return memory.write(arg, c) ? 0 : kEfault;
}

Status ControlPlane::dispatch(tern_control& c, GuestMemory& memory) {
    if (c.cmd < TERN_CONTROL_CREATE || c.cmd > TERN_CONTROL_WRITE_MEMORY)
        return Status::not_supported;
    if (c.cmd == TERN_CONTROL_CREATE)
        return create(c);
    if (c.cmd == TERN_CONTROL_LIST)
        return list(c, memory);
    if (c.cmd == TERN_CONTROL_PHYSINFO) {
        c.u.physinfo = {nr_cpus_, DomainTable::kMaxDomains, machine_.total_pages(),
                        machine_.free_pages()};
        return Status::ok;
    }
    if (c.domain > 0xffff)
        return Status::no_such_domain;
    if (c.domain == kControlDomain && control_sched_ != nullptr)
        return control_domain_op(c);
    Domain* d = domains_.find(static_cast<pub::domid_t>(c.domain));
    if (d == nullptr)
        return Status::no_such_domain;
    switch (c.cmd) {
        case TERN_CONTROL_DESTROY: {
            if (runner_ != nullptr)
                runner_->stop(*d);
            if (teardown_ != nullptr)
                teardown_->before_destroy(d->id());
            const Status s = domains_.destroy(d->id());
            if (s == Status::ok)
                notify_domain_exception();
            return s;
        }
        case TERN_CONTROL_PAUSE:
            if (d->state() == DomainState::running && runner_ != nullptr)
                runner_->pause(*d);
            return d->pause();
        case TERN_CONTROL_UNPAUSE: {
            if (runner_ == nullptr)
                return Status::not_supported;
            if (d->state() == DomainState::running)
                return Status::ok;
            if (d->state() == DomainState::shutdown)
                return Status::busy;
            if (!d->started() && !d->vcpu_start(0))
                return Status::invalid_argument;  // nothing to run: vCPU 0 has no entry
            const Status started = runner_->start(*d);
            return started == Status::ok ? d->set_running() : started;
        }
        case TERN_CONTROL_SHUTDOWN: {
            if (c.u.shutdown.reason > TERN_SHUTDOWN_WATCHDOG)
                return Status::invalid_argument;
            if (runner_ != nullptr)
                runner_->stop(*d);
            auto now = d->shutdown(c.u.shutdown.reason);
            if (now.ok() && now.value())
                notify_domain_exception();
            return now.status();
        }
        case TERN_CONTROL_GET_INFO:
            fill_info(*d, c.u.info);
            return Status::ok;
        case TERN_CONTROL_POPULATE_MEMORY: {
            const GfnRange range{c.u.memory.first_gfn, c.u.memory.nr_pages};
            const Status s = d->populate(range);
            c.u.memory.done = s == Status::ok ? range.count : 0;
            return s;
        }
        case TERN_CONTROL_RELEASE_MEMORY: {
            auto released = d->release({c.u.memory.first_gfn, c.u.memory.nr_pages});
            if (!released.ok())
                return released.status();
            c.u.memory.done = released.value();
            return Status::ok;
        }
        case TERN_CONTROL_SET_VCPU_CONTEXT:
            if (c.u.vcpu_context.flags != 0)
                return Status::invalid_argument;
            return d->set_vcpu_start(c.u.vcpu_context.vcpu,
                                     {c.u.vcpu_context.pc, c.u.vcpu_context.x0});
        case TERN_CONTROL_SET_HVM_PARAM:
            return d->set_hvm_param(c.u.hvm_param.index, c.u.hvm_param.value);
        case TERN_CONTROL_GET_HVM_PARAM: {
            auto value = d->hvm_param(c.u.hvm_param.index);
            if (!value.ok())
                return value.status();
            c.u.hvm_param.value = value.value();
            return Status::ok;
        }
        case TERN_CONTROL_ALLOC_UNBOUND:
            return alloc_unbound(*d, c);
        case TERN_CONTROL_SCHED_SET:
        case TERN_CONTROL_SCHED_GET:
        case TERN_CONTROL_VCPU_AFFINITY:
            return scheduling(d->sched(), d->config().max_vcpus, c);
        case TERN_CONTROL_WRITE_MEMORY:
            if (c.u.write.size > TERN_CONTROL_WRITE_MAX)
                return Status::invalid_argument;
            return d->write_memory(c.u.write.address, memory, c.u.write.buffer, c.u.write.size);
        default:
            return Status::not_supported;
    }
}

Status ControlPlane::create(tern_control& c) {
    const tern_control_create& in = c.u.create;
    if (in.flags != 0 || in.max_memory_kib == 0 || in.max_memory_kib > (1ull << 40))
        return Status::invalid_argument;
    DomainConfig config;
    config.max_vcpus = in.max_vcpus;
    config.max_pages = (in.max_memory_kib + 3) / 4;
    config.max_grant_frames = in.max_grant_frames != 0 ? in.max_grant_frames : kDefaultGrantFrames;
    config.max_event_channels =
        in.max_event_channels != 0 ? in.max_event_channels : EventChannels::kMaxPorts - 1;
    for (std::size_t i = 0; i < config.handle.size(); ++i)
        config.handle[i] = in.handle[i];
    config.stage2_granule = domain_stage2_;
    auto d = domains_.create(config);
    if (!d.ok())
        return d.status();
    c.domain = d.value()->id();
    return Status::ok;
}

Status ControlPlane::control_domain_op(tern_control& c) {
    switch (c.cmd) {
        case TERN_CONTROL_GET_INFO:
            fill_control_info(c.u.info);
            return Status::ok;
        case TERN_CONTROL_SCHED_SET:
        case TERN_CONTROL_SCHED_GET:
        case TERN_CONTROL_VCPU_AFFINITY:
            return scheduling(*control_sched_, control_vcpus_, c);
        default:
            return Status::invalid_argument;  // dom0 is not paused, destroyed or built
    }
}

Status ControlPlane::list(tern_control& c, GuestMemory& memory) {
    tern_control_list& l = c.u.list;
    l.returned = 0;
    std::uint32_t next = l.first_domain;
    if (next == kControlDomain && control_sched_ != nullptr && l.max_entries > 0) {
        tern_domain_info info{};
        fill_control_info(info);
        if (!memory.write(l.entries, info))
            return Status::invalid_argument;
        l.returned = 1;
        next = kControlDomain + 1u;
    }
    while (l.returned < l.max_entries) {
        const Domain* d = domains_.next_from(next);
        if (d == nullptr)
            break;
        tern_domain_info info{};
        fill_info(*d, info);
        if (!memory.write(l.entries + std::uint64_t{l.returned} * sizeof info, info))
            return Status::invalid_argument;
        ++l.returned;
        next = d->id() + 1u;
    }
    return Status::ok;
}

Status ControlPlane::alloc_unbound(Domain& d, tern_control& c) {
    const std::uint32_t remote = c.u.evtchn.remote_domain;
    if (remote > 0xffff ||
        (remote != kControlDomain && domains_.find(static_cast<pub::domid_t>(remote)) == nullptr))
        return Status::no_such_domain;
    auto port = d.events().alloc_unbound(static_cast<pub::domid_t>(remote));
    if (!port.ok())
        return port.status();
    c.u.evtchn.port = port.value();
    return Status::ok;
}

void ControlPlane::fill_info(const Domain& d, tern_domain_info& info) const {
    info = {};
    info.domain = d.id();
    info.state = static_cast<std::uint32_t>(d.state());
    info.shutdown_reason = d.shutdown_reason();
    info.vcpus = d.config().max_vcpus;
    info.pages = d.memory().pages();
    info.max_pages = d.memory().max_pages();
    info.cpu_time_ns = d.cpu_time_ns();
    for (std::size_t i = 0; i < sizeof info.handle; ++i)
        info.handle[i] = d.config().handle[i];
}

void ControlPlane::fill_control_info(tern_domain_info& info) const {
    info = {};
    info.domain = kControlDomain;
    info.state = static_cast<std::uint32_t>(DomainState::running);
    info.vcpus = control_vcpus_;
    info.pages = control_pages_;
    info.max_pages = control_pages_;
    info.cpu_time_ns = control_sched_->cpu_time_ns.load(std::memory_order_relaxed);
}

Status ControlPlane::scheduling(SchedDomain& d, std::uint32_t vcpus, tern_control& c) {
    if (scheduler_ == nullptr)
        return Status::not_supported;
    switch (c.cmd) {
        case TERN_CONTROL_SCHED_SET:
            return scheduler_->set_params(d, c.u.sched.weight, c.u.sched.cap);
        case TERN_CONTROL_SCHED_GET:
            c.u.sched = {d.weight, d.cap};
            return Status::ok;
        default:
            if (c.u.affinity.vcpu >= vcpus)
                return Status::invalid_argument;
            return scheduler_->set_affinity(d, c.u.affinity.vcpu, c.u.affinity.cpumap);
    }
}

void ControlPlane::domain_shut_itself_down(Domain& domain, std::uint32_t reason) {
    auto now = domain.shutdown(reason);
    if (now.ok() && now.value())
        notify_domain_exception();
}

void ControlPlane::notify_domain_exception() {
    if (control_events_ != nullptr)
        (void)control_events_->send_virq(pub::kVirqDomExc, 0);
}

}  // namespace tern::hv
