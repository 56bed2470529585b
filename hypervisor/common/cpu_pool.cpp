#include "common/cpu_pool.hpp"

#include "common/domain.hpp"

namespace tern::hv {

void CpuPool::reset(std::size_t count, std::uint32_t dom0_cpus) {
    lib::LockGuard guard(lock_);
    count_ = count < kMaxCpus ? count : kMaxCpus;
    for (std::size_t i = 0; i < kMaxCpus; ++i)
        cpus_[i] = {(dom0_cpus >> i) & 1 ? State::dom0 : State::free, {}};
}

Result<std::uint32_t> CpuPool::assign(Domain& domain, std::uint32_t vcpus) {
    lib::LockGuard guard(lock_);
    std::uint32_t chosen = 0;
    std::uint32_t found = 0;
    for (std::size_t i = 0; i < count_ && found < vcpus; ++i) {
        if (cpus_[i].state == State::free) {
            chosen |= 1u << i;
            ++found;
        }
    }
    if (found < vcpus || vcpus == 0)
        return Status::busy;
    std::uint32_t vcpu = 0;
    for (std::size_t i = 0; i < count_; ++i) {
        if ((chosen >> i) & 1)
            cpus_[i] = {State::assigned, {&domain, vcpu++}};
    }
    return chosen;
}

Result<std::size_t> CpuPool::assign_vcpu(Domain& domain, std::uint32_t vcpu) {
    lib::LockGuard guard(lock_);
    std::size_t free = count_;
    for (std::size_t i = 0; i < count_; ++i) {
        const Cpu& c = cpus_[i];
        if (c.state != State::free && c.state != State::dom0 && c.vcpu.domain == &domain &&
            c.vcpu.vcpu == vcpu)
            return Status::already_exists;
        if (c.state == State::free && free == count_)
            free = i;
    }
    if (free == count_)
        return Status::busy;
    cpus_[free] = {State::assigned, {&domain, vcpu}};
    return free;
}

bool CpuPool::holds_vcpu(const Domain& domain, std::uint32_t vcpu) const {
    lib::LockGuard guard(lock_);
    for (std::size_t i = 0; i < count_; ++i) {
        const Cpu& c = cpus_[i];
        if (c.state != State::free && c.state != State::dom0 && c.vcpu.domain == &domain &&
            c.vcpu.vcpu == vcpu)
            return true;
    }
    return false;
}

std::optional<CpuAssignment> CpuPool::take(std::size_t cpu) {
    lib::LockGuard guard(lock_);
    if (cpu >= count_ || cpus_[cpu].state != State::assigned)
        return std::nullopt;
    cpus_[cpu].state = State::running;
    return cpus_[cpu].vcpu;
}

std::optional<CpuAssignment> CpuPool::running_on(std::size_t cpu) const {
    lib::LockGuard guard(lock_);
    if (cpu >= count_ ||
        (cpus_[cpu].state != State::running && cpus_[cpu].state != State::stopping))
        return std::nullopt;
    return cpus_[cpu].vcpu;
}

std::optional<std::size_t> CpuPool::cpu_of(const Domain& domain, std::uint32_t vcpu) const {
    lib::LockGuard guard(lock_);
    for (std::size_t cpu = 0; cpu < count_; ++cpu) {
        const Cpu& c = cpus_[cpu];
        if ((c.state == State::running || c.state == State::stopping) && c.vcpu.domain == &domain &&
            c.vcpu.vcpu == vcpu)
            return cpu;
    }
    return std::nullopt;
}

void CpuPool::release(std::size_t cpu) {
    lib::LockGuard guard(lock_);
    if (cpu < count_ && cpus_[cpu].state != State::dom0)
        cpus_[cpu] = {State::free, {}};
}

std::uint32_t CpuPool::request_stop(pub::domid_t domain) {
    lib::LockGuard guard(lock_);
    std::uint32_t running = 0;
    for (std::size_t i = 0; i < count_; ++i) {
        Cpu& c = cpus_[i];
        if (c.vcpu.domain == nullptr || c.vcpu.domain->id() != domain)
            continue;
        if (c.state == State::assigned) {
            c = {State::free, {}};
        } else if (c.state == State::running || c.state == State::stopping) {
            c.state = State::stopping;
            running |= 1u << i;
        }
    }
    return running;
}

bool CpuPool::stop_requested(std::size_t cpu) const {
    lib::LockGuard guard(lock_);
    return cpu < count_ && cpus_[cpu].state == State::stopping;
}

bool CpuPool::holds(pub::domid_t domain) const {
    lib::LockGuard guard(lock_);
    for (std::size_t i = 0; i < count_; ++i) {
        const Cpu& c = cpus_[i];
        if (c.state != State::free && c.state != State::dom0 && c.vcpu.domain != nullptr &&
            c.vcpu.domain->id() == domain)
            return true;
    }
    return false;
}

}  // namespace tern::hv
