// Defines the writers of a VM's run-time state: its power state, domid, host and metrics, and
// the host's metrics, applied inside a transaction from what the backend reports. Every
// life-cycle path (client calls, guest exits, the start-up reconciliation) writes through them,
// so that the fields always agree with each other.
#pragma once

#include <string>

#include "backend/backend.hpp"
#include "rpc/value.hpp"

namespace tern::xapi {

class Transaction;

// The VM has the domain `domain` (Running, or Paused when the domain is paused or crashed and
// preserved). A new boot also sets the metrics' start_time.
void record_domain(Transaction& txn, const std::string& vm, const DomainInfo& domain,
                   const std::string& host, const rpc::DateTime& now, bool new_boot);

// The VM has no domain: Halted, or Suspended with its image kept.
void record_no_domain(Transaction& txn, const std::string& vm, bool suspended,
                      const rpc::DateTime& now);

// Only the figures of a running domain (memory, vCPUs, utilisation), not its state.
void record_domain_figures(Transaction& txn, const std::string& vm, const DomainInfo& domain,
                           const rpc::DateTime& now);

void record_host_metrics(Transaction& txn, const std::string& host, const HostInfo& info,
                         const rpc::DateTime& now);

}  // namespace tern::xapi
