// EventChannels: the port table under a spin lock; the guest-shared bitmaps with atomic bit
// operations. A port's pending bit is never set with a table lock of another domain held, and
// two tables are locked in address order, so no two CPUs can wait on each other.
#include "common/event_channels.hpp"

namespace tern::hv {
namespace {

constexpr std::uint64_t bit(pub::evtchn_port_t port) {
    return 1ull << (port % 64);
}

// Atomic test-and-set / test-and-clear of one bit of a word the guest shares.
bool test_and_set(std::uint64_t* word, std::uint64_t mask) {
    return (__atomic_fetch_or(word, mask, __ATOMIC_SEQ_CST) & mask) != 0;
}
bool test_and_clear(std::uint64_t* word, std::uint64_t mask) {
    return (__atomic_fetch_and(word, ~mask, __ATOMIC_SEQ_CST) & mask) != 0;
}
bool test(const std::uint64_t* word, std::uint64_t mask) {
    return (__atomic_load_n(word, __ATOMIC_SEQ_CST) & mask) != 0;
}

// Locks one table, or two in address order.
class PairGuard {
  public:
    PairGuard(lib::SpinLock& a, lib::SpinLock& b)
        : first_(&a < &b ? a : b), second_(&a < &b ? b : a) {
        first_.lock();
        if (&second_ != &first_)
            second_.lock();
    }
    ~PairGuard() {
        if (&second_ != &first_)
            second_.unlock();
        first_.unlock();
    }
    PairGuard(const PairGuard&) = delete;
    PairGuard& operator=(const PairGuard&) = delete;

  private:
    lib::SpinLock& first_;
    lib::SpinLock& second_;
};

}  // namespace

EventChannels::EventChannels(pub::domid_t self, std::uint32_t vcpus, UpcallSink& upcalls)
    : self_(self), vcpus_(vcpus < kMaxVcpus ? vcpus : kMaxVcpus), upcalls_(upcalls) {}

void EventChannels::attach_shared_info(pub::shared_info* shared) {
    lib::LockGuard guard(lock_);
    shared_ = shared;
}

pub::vcpu_info* EventChannels::vcpu_info(std::uint32_t vcpu) const {
    if (vcpu >= vcpus_)
        return nullptr;
    if (vcpu_info_[vcpu] != nullptr)
        return vcpu_info_[vcpu];
    // Until it registers one, vCPU 0 uses the slot in shared_info (the legacy layout).
    return vcpu == 0 && shared_ != nullptr ? &shared_->vcpu_info[0] : nullptr;
}

Status EventChannels::attach_vcpu_info(std::uint32_t vcpu, pub::vcpu_info* info) {
    {
        lib::LockGuard guard(lock_);
        if (vcpu >= vcpus_ || info == nullptr)
            return Status::invalid_argument;
        if (vcpu_info_[vcpu] != nullptr)
            return Status::invalid_argument;  // once per vCPU, as Xen
        if (pub::vcpu_info* old = vcpu_info(vcpu)) {
            info->evtchn_upcall_pending = old->evtchn_upcall_pending;
            info->evtchn_pending_sel = old->evtchn_pending_sel;
        }
        vcpu_info_[vcpu] = info;
        __atomic_store_n(&info->evtchn_pending_sel, ~0ull, __ATOMIC_SEQ_CST);
        __atomic_store_n(&info->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);
    }
    upcalls_.raise_upcall(vcpu);
    return Status::ok;
}

Result<pub::evtchn_port_t> EventChannels::allocate_locked() {
    for (pub::evtchn_port_t port = 1; port < kMaxPorts; ++port) {
        if (ports_[port].state == State::closed) {
            ports_[port] = Port{};
            // A new port starts clear: whatever a previous user left is not its event.
            if (shared_ != nullptr)
                test_and_clear(&shared_->evtchn_pending[port / 64], bit(port));
            return port;
        }
    }
    return Status::out_of_range;  // -ENOSPC
}

Result<pub::evtchn_port_t> EventChannels::alloc_unbound(pub::domid_t remote) {
    lib::LockGuard guard(lock_);
    auto port = allocate_locked();
    if (!port.ok())
        return port;
    Port& p = ports_[port.value()];
    p.state = State::unbound;
    p.remote_dom = remote == pub::kDomidSelf ? self_ : remote;
    return port;
}

Result<pub::evtchn_port_t> EventChannels::bind_virq(std::uint32_t virq, std::uint32_t vcpu) {
    if (virq >= pub::kNrVirqs || vcpu >= vcpus_)
        return Status::invalid_argument;
    lib::LockGuard guard(lock_);
    if (virq_ports_[vcpu][virq] != 0)
        return Status::already_exists;
    auto port = allocate_locked();
    if (!port.ok())
        return port;
    Port& p = ports_[port.value()];
    p.state = State::virq;
    p.virq = virq;
    p.vcpu = vcpu;
    p.virq_vcpu = vcpu;
    virq_ports_[vcpu][virq] = port.value();
    return port;
}

Result<pub::evtchn_port_t> EventChannels::bind_ipi(std::uint32_t vcpu) {
    if (vcpu >= vcpus_)
        return Status::not_found;
    lib::LockGuard guard(lock_);
    auto port = allocate_locked();
    if (!port.ok())
        return port;
    ports_[port.value()].state = State::ipi;
    ports_[port.value()].vcpu = vcpu;
    return port;
}

Result<pub::evtchn_port_t> EventChannels::bind_interdomain(EventChannels& remote,
                                                           pub::evtchn_port_t remote_port) {
    pub::evtchn_port_t local = 0;
    {
        PairGuard guard(lock_, remote.lock_);
        if (!remote.valid(remote_port))
            return Status::invalid_argument;
        Port& r = remote.ports_[remote_port];
        if (r.state != State::unbound || r.remote_dom != self_)
            return Status::invalid_argument;
        auto port = allocate_locked();
        if (!port.ok())
            return port;
        local = port.value();
        Port& l = ports_[local];
        l.state = State::interdomain;
        l.remote_dom = remote.self_;
        l.remote_port = remote_port;
        l.remote = &remote;
        r.state = State::interdomain;
        r.remote_dom = self_;
        r.remote_port = local;
        r.remote = this;
    }
    // Notifications sent before the bind would be lost: the new port starts pending.
    set_pending(local);
    return local;
}

Status EventChannels::close(pub::evtchn_port_t port) {
    if (!valid(port))
        return Status::invalid_argument;
    EventChannels* remote = nullptr;
    {
        lib::LockGuard guard(lock_);
        const Port& p = ports_[port];
        if (p.state == State::closed)
            return Status::invalid_argument;
        remote = p.state == State::interdomain ? p.remote : nullptr;
    }
    PairGuard guard(lock_, remote != nullptr ? remote->lock_ : lock_);
    Port& p = ports_[port];
    if (p.state == State::interdomain && p.remote == remote && remote != nullptr) {
        // The peer goes back to waiting for this domain.
        Port& r = remote->ports_[p.remote_port];
        r.state = State::unbound;
        r.remote_dom = self_;
        r.remote_port = 0;
        r.remote = nullptr;
    }
    if (p.state == State::virq)
        virq_ports_[p.virq_vcpu][p.virq] = 0;
    p = Port{};
    // As Xen does: a closed port forgets its pending event, so that whatever binds it next
    // is not told of something that happened before.
    if (shared_ != nullptr)
        __atomic_fetch_and(&shared_->evtchn_pending[port / 64], ~bit(port), __ATOMIC_SEQ_CST);
    return Status::ok;
}

void EventChannels::close_all() {
    for (pub::evtchn_port_t port = 1; port < kMaxPorts; ++port)
        (void)close(port);
}

Status EventChannels::send(pub::evtchn_port_t port) {
    if (!valid(port))
        return Status::invalid_argument;
    EventChannels* target = nullptr;
    pub::evtchn_port_t target_port = 0;
    {
        lib::LockGuard guard(lock_);
        const Port& p = ports_[port];
        switch (p.state) {
            case State::interdomain:
                target = p.remote;
                target_port = p.remote_port;
                break;
            case State::ipi:
                target = this;
                target_port = port;
                break;
            case State::unbound:
                return Status::ok;  // nobody to tell yet
            default:
                return Status::invalid_argument;
        }
    }
    target->set_pending(target_port);
    return Status::ok;
}

void EventChannels::set_pending(pub::evtchn_port_t port) {
    std::uint32_t vcpu = 0;
    {
        lib::LockGuard guard(lock_);
        if (shared_ == nullptr || !valid(port))
            return;
        vcpu = ports_[port].vcpu;
        if (test_and_set(&shared_->evtchn_pending[port / 64], bit(port)))
            return;  // already pending: the guest has yet to see the first one
        if (test(&shared_->evtchn_mask[port / 64], bit(port)))
            return;  // masked: unmask delivers it
    }
    mark_selector(vcpu, port);
}

void EventChannels::mark_selector(std::uint32_t vcpu, pub::evtchn_port_t port) {
    pub::vcpu_info* info = vcpu_info(vcpu);
    if (info == nullptr)
        return;
    if (test_and_set(&info->evtchn_pending_sel, 1ull << (port / 64)))
        return;
    if (__atomic_exchange_n(&info->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST) == 0)
        upcalls_.raise_upcall(vcpu);
}

Status EventChannels::unmask(pub::evtchn_port_t port) {
    if (!valid(port))
        return Status::invalid_argument;
    std::uint32_t vcpu = 0;
    {
        lib::LockGuard guard(lock_);
        if (shared_ == nullptr)
            return Status::ok;
        if (!test_and_clear(&shared_->evtchn_mask[port / 64], bit(port)))
            return Status::ok;  // was not masked
        if (!test(&shared_->evtchn_pending[port / 64], bit(port)))
            return Status::ok;
        vcpu = ports_[port].vcpu;
    }
    mark_selector(vcpu, port);
    return Status::ok;
}

Status EventChannels::bind_vcpu(pub::evtchn_port_t port, std::uint32_t vcpu) {
    if (!valid(port))
        return Status::invalid_argument;
    if (vcpu >= vcpus_)
        return Status::not_found;
    lib::LockGuard guard(lock_);
    Port& p = ports_[port];
    switch (p.state) {
        case State::closed:
            return Status::invalid_argument;
        case State::virq:
            // Only global VIRQs move; a per-vCPU one (the timer) belongs to its vCPU. As in Xen,
            // the VIRQ stays bound where it was (send_virq finds it there) and only the vCPU
            // it notifies changes.
            if (p.virq == pub::kVirqTimer)
                return Status::invalid_argument;
            break;
        default:
            break;
    }
    p.vcpu = vcpu;
    return Status::ok;
}

Result<pub::evtchn_status> EventChannels::status(pub::evtchn_port_t port) {
    if (!valid(port))
        return Status::invalid_argument;
    lib::LockGuard guard(lock_);
    const Port& p = ports_[port];
    pub::evtchn_status s{};
    s.dom = self_;
    s.port = port;
    s.vcpu = p.vcpu;
    switch (p.state) {
        case State::closed:
            s.status = pub::kEvtchnStatClosed;
            break;
        case State::unbound:
            s.status = pub::kEvtchnStatUnbound;
            s.u.unbound.dom = p.remote_dom;
            break;
        case State::interdomain:
            s.status = pub::kEvtchnStatInterdomain;
            s.u.interdomain.dom = p.remote_dom;
            s.u.interdomain.port = p.remote_port;
            break;
        case State::virq:
            s.status = pub::kEvtchnStatVirq;
            s.u.virq = p.virq;
            break;
        case State::ipi:
            s.status = pub::kEvtchnStatIpi;
            break;
    }
    return s;
}

bool EventChannels::send_virq(std::uint32_t virq, std::uint32_t vcpu) {
    if (virq >= pub::kNrVirqs || vcpu >= vcpus_)
        return false;
    pub::evtchn_port_t port = 0;
    {
        lib::LockGuard guard(lock_);
        port = virq_ports_[vcpu][virq];
    }
    if (port == 0)
        return false;
    set_pending(port);
    return true;
}

bool EventChannels::upcall_pending(std::uint32_t vcpu) const {
    const pub::vcpu_info* info = vcpu_info(vcpu);
    return info != nullptr && __atomic_load_n(&info->evtchn_upcall_pending, __ATOMIC_SEQ_CST) != 0;
}

bool EventChannels::is_pending(pub::evtchn_port_t port) const {
    return shared_ != nullptr && valid(port) &&
           test(&shared_->evtchn_pending[port / 64], bit(port));
}

bool EventChannels::is_masked(pub::evtchn_port_t port) const {
    return shared_ != nullptr && valid(port) && test(&shared_->evtchn_mask[port / 64], bit(port));
}

}  // namespace tern::hv
