// Defines ControlPlane: Tern's control ABI (public/tern_control.h), the hypercall through
// which the control domain creates, inspects and destroys other domains. It decodes one
// struct tern_control from the caller's memory, checks the interface version and that the
// caller is the control domain, acts on the DomainTable and writes the answer back. One
// control operation runs at a time.
#pragma once

#include <cstdint>

#include "common/domain.hpp"
#include "common/event_channels.hpp"
#include "common/guest_memory.hpp"
#include "common/machine_memory.hpp"
#include "lib/spinlock.hpp"
#include "public/tern_control.h"
#include "public/xen.hpp"

namespace tern::hv {

// What else must let go of a domain before its pages are freed (the control domain's
// foreign mappings of them).
class DomainTeardown {
  public:
    virtual void before_destroy(pub::domid_t domain) = 0;

  protected:
    ~DomainTeardown() = default;
};

// Runs domains' vCPUs on physical CPUs (the image: CpuPool and the CPUs' idle loops).
class DomainRunner {
  public:
    // Starts the vCPUs of `domain` that have a start context, or lets a paused one run
    // again (busy: no room for them).
    virtual Status start(Domain& domain) = 0;
    // Takes its vCPUs off their CPUs until start(); returns once none runs.
    virtual void pause(Domain& domain) = 0;
    // Takes its vCPUs off their CPUs; returns once none runs any more.
    virtual void stop(Domain& domain) = 0;

  protected:
    ~DomainRunner() = default;
};

class ControlPlane {
  public:
    static constexpr pub::domid_t kControlDomain = 0;

    ControlPlane(DomainTable& domains, MachineMemory& machine, std::uint32_t nr_cpus)
        : domains_(domains), machine_(machine), nr_cpus_(nr_cpus) {}

    // The control domain's event channels: VIRQ_DOM_EXC goes there when a domain shuts down
    // or is destroyed.
    void set_control_events(EventChannels* events) { control_events_ = events; }
    void set_teardown(DomainTeardown* teardown) { teardown_ = teardown; }
    void set_runner(DomainRunner* runner) { runner_ = runner; }
    // Weights, caps and affinity go to `scheduler` (none: they are not supported).
    void set_scheduler(Scheduler* scheduler) { scheduler_ = scheduler; }
    // How the domains it creates have their RAM mapped at stage 2 (Tern's domu_stage2=).
    void set_domain_stage2(Stage2Granule granule) { domain_stage2_ = granule; }
    // The control domain itself (dom0, built at boot, not in the DomainTable): its
    // scheduling share (weight, cap, affinity) and its info are reached as domain 0, as
    // Xen's domctls reach Domain-0; nothing else (pause, destroy, memory) applies to it.
    void set_control_domain(SchedDomain* sched, std::uint32_t vcpus, std::uint64_t pages) {
        control_sched_ = sched;
        control_vcpus_ = vcpus;
        control_pages_ = pages;
    }

    // A domain's own vCPU shut it down (SCHEDOP_shutdown, PSCI SYSTEM_OFF, a crash): it is
    // recorded and dom0 told, without the control lock (the control domain may be waiting
    // for that vCPU to leave its CPU).
    void domain_shut_itself_down(Domain& domain, std::uint32_t reason);
    // Runs f(domains) under the control lock, so that nothing is destroyed meanwhile (for
    // the memory_op calls that map other domains' pages).
    template <class F>
    auto with_domains(F f) {
        lib::LockGuard guard(lock_);
        return f(domains_);
    }

    // The hypercall: `arg` is the caller's address of a struct tern_control. Returns 0 or a
    // negative errno (the header lists them).
    std::int64_t op(pub::domid_t caller, GuestMemory& memory, std::uint64_t arg);

  private:
    Status dispatch(tern_control& c, GuestMemory& memory);
    Status create(tern_control& c);
    Status list(tern_control& c, GuestMemory& memory);
    Status alloc_unbound(Domain& d, tern_control& c);
    Status control_domain_op(tern_control& c);
    Status scheduling(SchedDomain& d, std::uint32_t vcpus, tern_control& c);
    void fill_info(const Domain& d, tern_domain_info& info) const;
    void fill_control_info(tern_domain_info& info) const;
    void notify_domain_exception();

    DomainTable& domains_;
    MachineMemory& machine_;
    std::uint32_t nr_cpus_;
    EventChannels* control_events_ = nullptr;
    DomainTeardown* teardown_ = nullptr;
    DomainRunner* runner_ = nullptr;
    Scheduler* scheduler_ = nullptr;
    SchedDomain* control_sched_ = nullptr;
    std::uint32_t control_vcpus_ = 0;
    std::uint64_t control_pages_ = 0;
    Stage2Granule domain_stage2_ = Stage2Granule::blocks;
    lib::SpinLock lock_;
};

}  // namespace tern::hv
