// Defines EventChannels: one domain's event channels with the 2-level ABI
// (../shared/reference/xen-arm-abi.md §4.1, §4.2): the port table, the operations of
// event_channel_op, and making a port pending in the bitmaps of the domain's shared_info and
// the selector of its notify vCPU's vcpu_info, then raising that vCPU's upcall through an
// UpcallSink (the arch code injects the event interrupt). The bitmaps and vcpu_infos live
// in guest memory; they are reached through plain pointers set when the guest registers
// them, and changed with atomic read-modify-writes because the guest changes them too.
//
// Interdomain channels connect ports of this table with ports of the table of another
// domain, found through a DomainEvents lookup; with only dom0 running, a domain connects to
// itself (as xenstored does with dom0's xenbus).
#pragma once

#include <array>
#include <cstdint>

#include "lib/spinlock.hpp"
#include "public/event_channel.hpp"
#include "public/xen.hpp"
#include "tern/status.hpp"

namespace tern::hv {

// Where upcalls go: the arch code makes the vCPU take its event interrupt.
class UpcallSink {
  public:
    virtual void raise_upcall(std::uint32_t vcpu) = 0;

  protected:
    ~UpcallSink() = default;
};

class EventChannels {
  public:
    static constexpr std::uint32_t kMaxPorts = 1024;  // the 2-level ABI allows 4096
    static constexpr std::uint32_t kMaxVcpus = 8;

    EventChannels(pub::domid_t self, std::uint32_t vcpus, UpcallSink& upcalls);

    pub::domid_t domain() const { return self_; }

    // The guest registered its shared_info page (2-level bitmaps, vCPU 0's first vcpu_info).
    void attach_shared_info(pub::shared_info* shared);
    // The guest moved vCPU `vcpu`'s vcpu_info: the old one's state is carried over and every
    // selector bit set, and an upcall raised, so that no event is lost.
    Status attach_vcpu_info(std::uint32_t vcpu, pub::vcpu_info* info);

    Result<pub::evtchn_port_t> alloc_unbound(pub::domid_t remote);
    Result<pub::evtchn_port_t> bind_virq(std::uint32_t virq, std::uint32_t vcpu);
    Result<pub::evtchn_port_t> bind_ipi(std::uint32_t vcpu);
    // Connects a new local port to `remote_port` of `remote` (this table when remote is this
    // domain), which must be unbound and waiting for this domain.
    Result<pub::evtchn_port_t> bind_interdomain(EventChannels& remote,
                                                pub::evtchn_port_t remote_port);
    Status close(pub::evtchn_port_t port);
    // Closes every port (the domain is going): peers bound to it go back to unbound.
    void close_all();
    Status send(pub::evtchn_port_t port);
    Status unmask(pub::evtchn_port_t port);
    Status bind_vcpu(pub::evtchn_port_t port, std::uint32_t vcpu);
    Result<pub::evtchn_status> status(pub::evtchn_port_t port);

    // Raises a VIRQ if the guest bound it on that vCPU; false if it did not.
    bool send_virq(std::uint32_t virq, std::uint32_t vcpu = 0);

    // Whether vCPU `vcpu` has an upcall pending (its vcpu_info says so).
    bool upcall_pending(std::uint32_t vcpu) const;

    // Whether a port is pending / masked in the guest's bitmaps (for tests and debugging).
    bool is_pending(pub::evtchn_port_t port) const;
    bool is_masked(pub::evtchn_port_t port) const;

  private:
    enum class State : std::uint8_t { closed, unbound, interdomain, virq, ipi };
    struct Port {
        State state = State::closed;
        std::uint32_t vcpu = 0;       // the notify vCPU
        pub::domid_t remote_dom = 0;  // unbound, interdomain
        pub::evtchn_port_t remote_port = 0;
        EventChannels* remote = nullptr;  // interdomain
        std::uint32_t virq = 0;
        std::uint32_t virq_vcpu = 0;  // where a VIRQ was bound (bind_vcpu moves only `vcpu`)
    };

    bool valid(pub::evtchn_port_t port) const { return port != 0 && port < kMaxPorts; }
    Result<pub::evtchn_port_t> allocate_locked();
    // Makes `port` pending and raises the upcall when the guest should look (§4.2).
    void set_pending(pub::evtchn_port_t port);
    void mark_selector(std::uint32_t vcpu, pub::evtchn_port_t port);
    pub::vcpu_info* vcpu_info(std::uint32_t vcpu) const;

    pub::domid_t self_;
    std::uint32_t vcpus_;
    UpcallSink& upcalls_;
    pub::shared_info* shared_ = nullptr;
    std::array<pub::vcpu_info*, kMaxVcpus> vcpu_info_{};
    std::array<std::array<pub::evtchn_port_t, pub::kNrVirqs>, kMaxVcpus> virq_ports_{};
    std::array<Port, kMaxPorts> ports_{};
    mutable lib::SpinLock lock_;
};

}  // namespace tern::hv
