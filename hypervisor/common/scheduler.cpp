#include "common/scheduler.hpp"

namespace tern::hv {

namespace {

constexpr std::uint64_t earlier(std::uint64_t a, std::uint64_t b) {
    if (a == 0)
        return b;
    if (b == 0)
        return a;
    return a < b ? a : b;
}

// Whether `v` is vCPU `vcpu` of `domain` and on: one that turned itself off is no longer that
// vCPU (a CPU_ON for it may take a new slot before the old one leaves its CPU).
bool is_live(const SchedVcpu& v, const SchedDomain& domain, std::uint32_t vcpu) {
    return v.state != VcpuState::free && v.state != VcpuState::offline && v.domain == &domain &&
           v.vcpu == vcpu;
}

}  // namespace

void Scheduler::reset(std::uint32_t cpus) {
    lib::LockGuard guard(lock_);
    cpus_ = cpus & ((1u << kMaxCpus) - 1);
    cpu_ = {};
    for (SchedVcpu& v : vcpus_)
        v = SchedVcpu{};
}

Result<SchedVcpu*> Scheduler::add(SchedDomain& domain, std::uint32_t vcpu) {
    lib::LockGuard guard(lock_);
    if (domain.stopping || cpus_ == 0)
        return Status::busy;  // stopping, or no CPU to ever run it on
    SchedVcpu* slot = nullptr;
    for (SchedVcpu& v : vcpus_) {
        if (is_live(v, domain, vcpu))
            return Status::already_exists;
        if (v.state == VcpuState::free && slot == nullptr)
            slot = &v;
    }
    if (slot == nullptr)
        return Status::busy;
    *slot = SchedVcpu{};
    slot->domain = &domain;
    slot->vcpu = vcpu;
    slot->state = VcpuState::starting;
    slot->affinity = vcpu < SchedDomain::kMaxVcpus ? domain.affinity[vcpu] : ~0u;
    return slot;
}

std::uint32_t Scheduler::make_runnable(SchedVcpu& v, std::uint64_t now) {
    lib::LockGuard guard(lock_);
    if (v.state != VcpuState::starting)
        return 0;
    v.state = VcpuState::runnable;
    v.runstate.reset(Runstate::runnable, now);
    wake_locked(v);
    return idle_cpus_for(v);
}

SchedVcpu* Scheduler::find(const SchedDomain& domain, std::uint32_t vcpu) {
    lib::LockGuard guard(lock_);
    for (SchedVcpu& v : vcpus_) {
        if (is_live(v, domain, vcpu))
            return &v;
    }
    return nullptr;
}

bool Scheduler::is_online(const SchedDomain& domain, std::uint32_t vcpu) const {
    lib::LockGuard guard(lock_);
    for (const SchedVcpu& v : vcpus_) {
        if (is_live(v, domain, vcpu))
            return true;
    }
    return false;
}

SchedVcpu* Scheduler::current(std::size_t cpu) {
    lib::LockGuard guard(lock_);
    return cpu < kMaxCpus ? cpu_[cpu].current : nullptr;
}

void Scheduler::block(SchedVcpu& v, std::uint64_t deadline_ns) {
    lib::LockGuard guard(lock_);
    if (v.state != VcpuState::running)
        return;
    v.state = VcpuState::blocked;
    v.block_deadline = deadline_ns;
}

void Scheduler::yield(SchedVcpu& v) {
    lib::LockGuard guard(lock_);
    v.yielded = true;
}

void Scheduler::go_offline(SchedVcpu& v) {
    lib::LockGuard guard(lock_);
    v.state = VcpuState::offline;
}

std::uint32_t Scheduler::wake(const SchedDomain& domain, std::uint32_t vcpu, std::uint64_t now) {
    lib::LockGuard guard(lock_);
    for (SchedVcpu& v : vcpus_) {
        if (!is_live(v, domain, vcpu))
            continue;
        if (v.state == VcpuState::blocked) {
            // Still on its CPU (it has not left yet): it simply goes on there.
            v.state = v.on_cpu ? VcpuState::running : VcpuState::runnable;
            if (!v.on_cpu) {
                v.runstate.enter(Runstate::runnable, now);
                wake_locked(v);
            }
        }
        if (v.on_cpu)
            return 1u << v.cpu;
        return v.state == VcpuState::runnable ? idle_cpus_for(v) : 0;
    }
    return 0;
}

bool Scheduler::throttled(SchedDomain& d, std::uint64_t now, std::uint64_t running_extra) const {
    if (d.cap == 0)
        return false;
    if (now >= d.period_start + kCapPeriodNs) {
        d.period_start = now - (now - d.period_start) % kCapPeriodNs;
        d.period_used = 0;
    }
    const std::uint64_t budget = kCapPeriodNs / 100 * d.cap;
    return d.period_used + running_extra >= budget;
}

bool Scheduler::eligible(const SchedVcpu& v, std::size_t cpu, std::uint64_t now) {
    return v.state == VcpuState::runnable && !v.on_cpu && ((v.affinity >> cpu) & 1u) != 0 &&
           !v.domain->paused && !v.domain->stopping && !throttled(*v.domain, now, 0);
}

bool Scheduler::other_eligible(std::size_t cpu, const SchedVcpu* besides, std::uint64_t now) {
    for (SchedVcpu& v : vcpus_) {
        if (&v != besides && eligible(v, cpu, now))
            return true;
    }
    return false;
}

SchedVcpu* Scheduler::pick_locked(std::size_t cpu, std::uint64_t now) {
    SchedVcpu* best = nullptr;
    for (SchedVcpu& v : vcpus_) {
        if (!eligible(v, cpu, now) || left_to_its_cpu(v, cpu, now))
            continue;
        // A vCPU that yielded comes after every other; among equals, the least virtual time.
        if (best == nullptr || (best->yielded && !v.yielded) ||
            (best->yielded == v.yielded && v.vruntime < best->vruntime))
            best = &v;
    }
    if (best != nullptr) {
        best->state = VcpuState::running;
        best->runstate.enter(Runstate::running, now);
        best->on_cpu = true;
        best->yielded = false;
        best->has_run = true;
        best->cpu = cpu;
        cpu_[cpu] = {best, now};
    } else {
        cpu_[cpu] = {};
    }
    return best;
}

void Scheduler::wake_locked(SchedVcpu& v) {
    std::uint64_t floor = kNever;
    for (const SchedVcpu& o : vcpus_) {
        if (&o != &v && (o.state == VcpuState::runnable || o.state == VcpuState::running) &&
            o.vruntime < floor)
            floor = o.vruntime;
    }
    if (floor != kNever && floor > kSliceNs && v.vruntime < floor - kSliceNs)
        v.vruntime = floor - kSliceNs;
    v.wake_deadline = 0;
}

bool Scheduler::idle_and_allowed(const SchedVcpu& v, std::size_t cpu) const {
    return cpu < kMaxCpus && ((cpus_ >> cpu) & 1u) != 0 && ((v.affinity >> cpu) & 1u) != 0 &&
           cpu_[cpu].current == nullptr;
}

std::uint32_t Scheduler::idle_cpus_for(const SchedVcpu& v) const {
    if (v.has_run && idle_and_allowed(v, v.cpu))
        return 1u << v.cpu;
    std::uint32_t mask = 0;
    for (std::size_t c = 0; c < kMaxCpus; ++c) {
        if (idle_and_allowed(v, c))
            mask |= 1u << c;
    }
    return mask;
}

bool Scheduler::left_to_its_cpu(const SchedVcpu& v, std::size_t cpu, std::uint64_t now) const {
    const std::uint64_t since = v.runstate.info().state_entry_time;  // runnable since
    return v.has_run && v.cpu != cpu && idle_and_allowed(v, v.cpu) && now >= since &&
           now - since < kCacheHotNs;
}

bool Scheduler::need_resched(std::size_t cpu, std::uint64_t now) {
    lib::LockGuard guard(lock_);
    if (cpu >= kMaxCpus || cpu_[cpu].current == nullptr)
        return false;
    SchedVcpu& v = *cpu_[cpu].current;
    if (v.state != VcpuState::running || v.domain->paused || v.domain->stopping ||
        ((v.affinity >> cpu) & 1u) == 0)
        return true;
    const std::uint64_t ran = now > cpu_[cpu].run_start ? now - cpu_[cpu].run_start : 0;
    if (throttled(*v.domain, now, ran))
        return true;
    if (!v.yielded && ran < kSliceNs)
        return false;
    if (other_eligible(cpu, &v, now))
        return true;
    if (ran >= kSliceNs) {  // alone: a new slice, its time accounted so far
        account(cpu_[cpu], v, now);
        cpu_[cpu].run_start = now;
    }
    return false;
}

bool Scheduler::keeps_context(std::size_t cpu) {
    lib::LockGuard guard(lock_);
    const SchedVcpu* v = cpu < kMaxCpus ? cpu_[cpu].current : nullptr;
    return v != nullptr && v->state != VcpuState::offline && !v->domain->stopping;
}

void Scheduler::account(Cpu& c, SchedVcpu& v, std::uint64_t now) {
    const std::uint64_t ran = now > c.run_start ? now - c.run_start : 0;
    SchedDomain& d = *v.domain;
    const std::uint32_t weight = d.weight != 0 ? d.weight : SchedDomain::kDefaultWeight;
    v.vruntime += ran * SchedDomain::kDefaultWeight / weight;
    (void)throttled(d, now, 0);  // starts a new period if one ended
    d.period_used += ran;
    d.cpu_time_ns.fetch_add(ran, std::memory_order_relaxed);
}

void Scheduler::free_slot(SchedVcpu& v) {
    v = SchedVcpu{};
}

SchedVcpu* Scheduler::switch_from(std::size_t cpu, std::uint64_t now,
                                  std::uint64_t timer_deadline_ns) {
    lib::LockGuard guard(lock_);
    if (cpu >= kMaxCpus)
        return nullptr;
    Cpu& c = cpu_[cpu];
    if (SchedVcpu* v = c.current) {
        account(c, *v, now);
        v->on_cpu = false;
        if (v->state == VcpuState::offline || v->domain->stopping) {
            free_slot(*v);
        } else if (v->state == VcpuState::blocked) {
            v->wake_deadline = earlier(v->block_deadline, timer_deadline_ns);
            if (v->wake_deadline != 0 && v->wake_deadline <= now) {
                v->state = VcpuState::runnable;
                v->wake_deadline = 0;
            }
            v->runstate.enter(
                v->state == VcpuState::blocked ? Runstate::blocked : Runstate::runnable, now);
        } else {
            v->state = VcpuState::runnable;
            v->runstate.enter(Runstate::runnable, now);
        }
        c.current = nullptr;
    }
    return pick_locked(cpu, now);
}

SchedVcpu* Scheduler::pick(std::size_t cpu, std::uint64_t now) {
    lib::LockGuard guard(lock_);
    if (cpu >= kMaxCpus || ((cpus_ >> cpu) & 1u) == 0 || cpu_[cpu].current != nullptr)
        return nullptr;
    return pick_locked(cpu, now);
}

std::uint64_t Scheduler::next_timer(std::size_t cpu, std::uint64_t now) {
    lib::LockGuard guard(lock_);
    std::uint64_t next = kNever;
    auto consider = [&next](std::uint64_t t) {
        if (t != 0 && t < next)
            next = t;
    };
    if (cpu < kMaxCpus && cpu_[cpu].current != nullptr) {
        const Cpu& c = cpu_[cpu];
        consider(c.run_start + kSliceNs);
        SchedDomain& d = *c.current->domain;
        if (d.cap != 0) {
            (void)throttled(d, now, 0);
            const std::uint64_t budget = kCapPeriodNs / 100 * d.cap;
            consider(d.period_used < budget ? c.run_start + (budget - d.period_used)
                                            : d.period_start + kCapPeriodNs);
        }
    }
    for (SchedVcpu& v : vcpus_) {
        if (v.state == VcpuState::blocked && !v.on_cpu)
            consider(v.wake_deadline);
        if (v.state == VcpuState::runnable && !v.on_cpu && v.domain->cap != 0 &&
            throttled(*v.domain, now, 0))
            consider(v.domain->period_start + kCapPeriodNs);
    }
    return next;
}

std::uint32_t Scheduler::expire(std::uint64_t now) {
    lib::LockGuard guard(lock_);
    std::uint32_t kick = 0;
    for (SchedVcpu& v : vcpus_) {
        if (v.state == VcpuState::blocked && !v.on_cpu && v.wake_deadline != 0 &&
            v.wake_deadline <= now) {
            v.state = VcpuState::runnable;
            v.runstate.enter(Runstate::runnable, now);
            wake_locked(v);
            kick |= idle_cpus_for(v);
        } else if (v.state == VcpuState::runnable && !v.on_cpu && !v.domain->paused &&
                   !v.domain->stopping && !throttled(*v.domain, now, 0)) {
            kick |= idle_cpus_for(v);  // e.g. its domain's cap period began again
        }
    }
    return kick;
}

std::uint32_t Scheduler::stop(SchedDomain& domain) {
    lib::LockGuard guard(lock_);
    domain.stopping = true;
    std::uint32_t running = 0;
    for (SchedVcpu& v : vcpus_) {
        if (v.state == VcpuState::free || v.domain != &domain)
            continue;
        if (v.on_cpu)
            running |= 1u << v.cpu;
        else
            free_slot(v);
    }
    return running;
}

std::uint32_t Scheduler::pause(SchedDomain& domain) {
    lib::LockGuard guard(lock_);
    domain.paused = true;
    std::uint32_t running = 0;
    for (const SchedVcpu& v : vcpus_) {
        if (v.state != VcpuState::free && v.domain == &domain && v.on_cpu)
            running |= 1u << v.cpu;
    }
    return running;
}

std::uint32_t Scheduler::unpause(SchedDomain& domain, std::uint64_t) {
    lib::LockGuard guard(lock_);
    domain.paused = false;
    std::uint32_t kick = 0;
    for (SchedVcpu& v : vcpus_) {
        if (v.state == VcpuState::runnable && v.domain == &domain) {
            wake_locked(v);
            kick |= idle_cpus_for(v);
        }
    }
    return kick;
}

bool Scheduler::on_cpu(const SchedDomain& domain) const {
    lib::LockGuard guard(lock_);
    for (const SchedVcpu& v : vcpus_) {
        if (v.state != VcpuState::free && v.domain == &domain && v.on_cpu)
            return true;
    }
    return false;
}

bool Scheduler::holds(const SchedDomain& domain) const {
    lib::LockGuard guard(lock_);
    for (const SchedVcpu& v : vcpus_) {
        if (v.state != VcpuState::free && v.domain == &domain)
            return true;
    }
    return false;
}

Status Scheduler::set_params(SchedDomain& domain, std::uint32_t weight, std::uint32_t cap) {
    if (weight == 0 || weight > 65535 || cap > 100 * kMaxCpus)
        return Status::invalid_argument;
    lib::LockGuard guard(lock_);
    domain.weight = weight;
    domain.cap = cap;
    return Status::ok;
}

Status Scheduler::set_affinity(SchedDomain& domain, std::uint32_t vcpu, std::uint32_t mask) {
    lib::LockGuard guard(lock_);
    if ((mask & cpus_) == 0 || vcpu >= SchedDomain::kMaxVcpus)
        return Status::invalid_argument;
    domain.affinity[vcpu] = mask & cpus_;
    for (SchedVcpu& v : vcpus_) {
        if (v.state != VcpuState::free && v.domain == &domain && v.vcpu == vcpu)
            v.affinity = mask & cpus_;  // off a CPU it may no longer use at its next switch
    }
    return Status::ok;
}

}  // namespace tern::hv
