// How the server follows domains: release, shutdown reports and the hypervisor's domain list.
#include "xenstored/path.hpp"
#include "xenstored/server_connection.hpp"

namespace tern::dom0::xenstored {

void XenstoreServer::release_domain(DomainId domid) {
    DomainRecord* domain = domains_.find(domid);
    if (domain == nullptr) {
        return;
    }
    if (domain->connection) {
        const auto it = connections_.find(*domain->connection);
        if (it != connections_.end()) {
            close(*it->second);
        }
    }
    domains_.remove(domid);
    log("domain " + std::to_string(domid.value) + " released");
    fire({StoreChange{std::string(kReleaseDomainWatch), false, PermissionList::owned_by(kDom0)}});
}

void XenstoreServer::report_domain_shutdown(DomainId domid) {
    DomainRecord* domain = domains_.find(domid);
    if (domain == nullptr || domain->shutdown_reported) {
        return;
    }
    domain->shutdown_reported = true;
    log("domain " + std::to_string(domid.value) + " shut down");
    fire({StoreChange{std::string(kReleaseDomainWatch), false, PermissionList::owned_by(kDom0)}});
}

void XenstoreServer::update_domains(const std::map<std::uint32_t, DomainRunState>& listed) {
    for (DomainId domid : domains_.ids()) {
        const auto it = listed.find(domid.value);
        if (it == listed.end()) {
            release_domain(domid);
        } else if (it->second == DomainRunState::kShutdown) {
            report_domain_shutdown(domid);
        }
    }
}

}  // namespace tern::dom0::xenstored
