// Dom0TernHost: privcmd, the domain builder and xenstored's socket.
#include "backend/tern/dom0_tern_host.hpp"

#include <cstdlib>
#include <iostream>
#include <thread>

#include "dom0/builder/domain_builder.hpp"
#include "dom0/builder/guest_vbd.hpp"
#include "dom0/builder/guest_vif.hpp"
#include "dom0/builder/guest_xenstore.hpp"
#include "dom0/control/control_error.hpp"
#include "xenstored/socket_transport.hpp"

namespace tern::xapi {
namespace {

namespace xs = dom0::xenstored;

std::string socket_path(const std::string& configured) {
    if (!configured.empty())
        return configured;
    const char* env = std::getenv("XENSTORED_PATH");
    return env != nullptr ? env : xs::kDefaultSocketPath;
}

std::string key_path(std::uint32_t domain, const std::string& key) {
    return "/local/domain/" + std::to_string(domain) + "/" + key;
}

constexpr const char* kReleaseToken = "xapid-release";
// How long destroy waits for tern-blkback to close a domain's disks.
constexpr std::chrono::milliseconds kVbdCloseTimeout{10000};
// How long destroy waits for netback to delete a domain's vif interfaces.
constexpr std::chrono::milliseconds kVifRemoveTimeout{10000};

}  // namespace

Dom0TernHost::Dom0TernHost(Dom0Paths paths)
    : socket_(socket_path(paths.xenstored_socket)), privcmd_(paths.privcmd), control_(privcmd_) {}

dom0::PhysInfo Dom0TernHost::physinfo() {
    return control_.physinfo();
}

std::vector<tern_domain_info> Dom0TernHost::list() {
    std::vector<tern_domain_info> out = control_.list();
    std::erase_if(out, [](const tern_domain_info& d) { return d.domain == 0; });
    return out;
}

xs::XenstoreClient& Dom0TernHost::store_locked() {
    if (!store_ || !store_->connected()) {
        store_ = std::make_unique<xs::XenstoreClient>(socket_);
        if (!store_->connected())
            throw StoreError("cannot reach xenstored at " + socket_ + " (is it running?)");
    }
    return *store_;
}

std::uint32_t Dom0TernHost::build(const dom0::GuestConfig& config) {
    dom0::DomainBuilder builder(privcmd_, control_);
    const dom0::BuiltDomain built = builder.build(config);
    try {
        std::lock_guard lock(store_mutex_);
        dom0::introduce_to_xenstore(store_locked(), built, config);
        dom0::add_vbds_to_xenstore(store_locked(), built.domain, config.disks);
        std::vector<dom0::VifSpec> vifs = config.vifs;  // default MACs filled in
        dom0::add_vifs_to_xenstore(store_locked(), built.domain, vifs);
    } catch (const std::exception& e) {
        try {
            std::lock_guard lock(store_mutex_);
            (void)dom0::remove_vifs(store_locked(), built.domain, kVifRemoveTimeout);
        } catch (const std::exception&) {
            // xenstored is down: nothing to remove through it.
        }
        try {
            control_.destroy(built.domain);
            std::lock_guard lock(store_mutex_);
            dom0::remove_vbds(store_locked(), built.domain);
            dom0::release_from_xenstore(store_locked(), built.domain);
        } catch (const std::exception&) {
            // Left for the next look at the domains; the error below says what went wrong.
        }
        throw StoreError(e.what());
    }
    return built.domain;
}

void Dom0TernHost::pause(std::uint32_t domain) {
    control_.pause(domain);
}

void Dom0TernHost::unpause(std::uint32_t domain) {
    control_.unpause(domain);
}

void Dom0TernHost::destroy(std::uint32_t domain) {
    // Its disks and NICs first: tern-blkback drops their grant maps and flushes their images,
    // netback releases its rings and deletes vif<id>.<n>, while the domain still exists.
    try {
        std::lock_guard lock(store_mutex_);
        if (dom0::close_vbds(store_locked(), domain, kVbdCloseTimeout) != 0)
            std::cerr << "xapid: tern: the block backend did not close every disk of domain "
                      << domain << " (is tern-blkback running?)\n";
        if (dom0::remove_vifs(store_locked(), domain, kVifRemoveTimeout) != 0)
            std::cerr << "xapid: tern: netback did not delete every vif of domain " << domain
                      << "\n";
    } catch (const std::exception&) {
        // xenstored is down: nothing to close through it.
    }
    control_.destroy(domain);
    try {
        std::lock_guard lock(store_mutex_);
        dom0::remove_vbds(store_locked(), domain);
        dom0::release_from_xenstore(store_locked(), domain);
    } catch (const std::exception&) {
        // xenstored is down; it drops the domain itself when it sees it gone.
    }
}

void Dom0TernHost::set_scheduling(std::uint32_t domain, std::uint32_t weight, std::uint32_t cap) {
    control_.set_scheduling(domain, weight, cap);
}

void Dom0TernHost::set_vcpu_affinity(std::uint32_t domain, std::uint32_t vcpu,
                                     std::uint32_t cpumap) {
    control_.set_vcpu_affinity(domain, vcpu, cpumap);
}

std::optional<std::string> Dom0TernHost::read_key(std::uint32_t domain, const std::string& key) {
    std::lock_guard lock(store_mutex_);
    auto value = store_locked().read(key_path(domain, key));
    if (value.ok())
        return value.value();
    if (value.error() == xs::XsError::kEIO) {
        store_.reset();  // broken: the next call connects again
        throw StoreError("xenstored connection lost");
    }
    return std::nullopt;
}

void Dom0TernHost::write_key(std::uint32_t domain, const std::string& key,
                             const std::string& value) {
    std::lock_guard lock(store_mutex_);
    xs::XenstoreClient& store = store_locked();
    const std::string path = key_path(domain, key);
    auto check = [&](const xs::XsStatus& status, const char* what) {
        if (status.ok())
            return;
        if (status.error() == xs::XsError::kEIO)
            store_.reset();
        throw StoreError(std::string("xenstore ") + what + " " + path + ": " +
                         std::string(xs::error_name(status.error())));
    };
    check(store.write(path, value), "write");
    const std::vector<xs::Permission> owned = {{xs::DomainId{domain}, xs::Access::kNone}};
    check(store.set_permissions(path, owned), "set the permissions of");
}

void Dom0TernHost::wait_for_domain_change(std::chrono::milliseconds timeout) {
    std::lock_guard lock(watch_mutex_);
    if (!watch_ || !watch_->connected()) {
        watch_ = std::make_unique<xs::XenstoreClient>(socket_);
        if (!watch_->connected() || !watch_->watch("@releaseDomain", kReleaseToken).ok()) {
            watch_.reset();
            std::this_thread::sleep_for(timeout);  // xenstored is down: poll
            return;
        }
    }
    if (watch_->event_ready(timeout)) {
        if (!watch_->next_event().ok())
            watch_.reset();
    }
}

}  // namespace tern::xapi
